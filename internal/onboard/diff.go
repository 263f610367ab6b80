package onboard

// Diff is what an event or a reconciliation changed in the inventory.
type Diff struct {
	// Added are repositories the app now covers (new, or covered again).
	Added []Repo `json:"added,omitempty"`
	// Removed are repositories it no longer covers.
	Removed []Repo `json:"removed,omitempty"`
	// Renamed are repositories whose full name changed (renamed or
	// transferred).
	Renamed []Renamed `json:"renamed,omitempty"`
	// Archived and Unarchived are repositories whose archived flag flipped.
	Archived   []Repo `json:"archived,omitempty"`
	Unarchived []Repo `json:"unarchived,omitempty"`
	// Updated are repositories with other changes (default branch,
	// visibility, disabled, access regained, installation).
	Updated []Repo `json:"updated,omitempty"`
}

// Renamed is a repository and its previous full name.
type Renamed struct {
	// Repo is the repository as it is now.
	Repo Repo `json:"repo"`
	// From is its previous full name.
	From string `json:"from"`
}

// Empty reports whether nothing changed.
func (d Diff) Empty() bool {
	return len(d.Added)+len(d.Removed)+len(d.Renamed)+len(d.Archived)+len(d.Unarchived)+len(d.Updated) == 0
}

// merge appends o's changes to d.
func (d *Diff) merge(o Diff) {
	d.Added = append(d.Added, o.Added...)
	d.Removed = append(d.Removed, o.Removed...)
	d.Renamed = append(d.Renamed, o.Renamed...)
	d.Archived = append(d.Archived, o.Archived...)
	d.Unarchived = append(d.Unarchived, o.Unarchived...)
	d.Updated = append(d.Updated, o.Updated...)
}

// diffRepo classifies the change of one record from old to next.
func diffRepo(old, next Repo, existed bool) Diff {
	var d Diff
	switch {
	case existed && sameJSON(old, next):
		return d
	case next.Removed && (!existed || old.Removed):
		return d // a removal of something not covered changes nothing
	case next.Removed:
		d.Removed = append(d.Removed, next)
		return d
	case !existed || old.Removed:
		d.Added = append(d.Added, next)
		return d
	}
	changed := false
	if old.FullName != next.FullName {
		d.Renamed, changed = append(d.Renamed, Renamed{Repo: next, From: old.FullName}), true
	}
	if old.Archived != next.Archived {
		if next.Archived {
			d.Archived = append(d.Archived, next)
		} else {
			d.Unarchived = append(d.Unarchived, next)
		}
		changed = true
	}
	if !changed {
		d.Updated = append(d.Updated, next)
	}
	return d
}

package fakegithub

import (
	"fmt"
	"strconv"
	"strings"
)

// pageOf returns the page of items the request asks for (page, per_page)
// and sets GitHub's Link header. A per_page above MaxPerPage is capped, as
// GitHub does, and recorded as a limit violation.
func pageOf[T any](c *call, items []T) []T {
	perPage := c.intQuery("per_page", DefaultPerPage)
	if perPage > MaxPerPage {
		c.violate("limit", fmt.Sprintf("per_page=%d exceeds GitHub's maximum of %d (GitHub silently returns %d)",
			perPage, MaxPerPage, MaxPerPage))
		perPage = MaxPerPage
	}
	if perPage < 1 {
		perPage = DefaultPerPage
	}
	page := max(c.intQuery("page", 1), 1)
	last := max((len(items)+perPage-1)/perPage, 1)
	c.setLinks(page, last, perPage)
	start := min((page-1)*perPage, len(items))
	end := min(start+perPage, len(items))
	return items[start:end]
}

// setLinks writes the Link header for page of last.
func (c *call) setLinks(page, last, perPage int) {
	var links []string
	add := func(p int, rel string) {
		q := c.r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		links = append(links, fmt.Sprintf(`<%s%s?%s>; rel="%s"`, c.s.apiBase(), c.r.URL.EscapedPath(), q.Encode(), rel))
	}
	if page > 1 {
		add(page-1, "prev")
	}
	if page < last {
		add(page+1, "next")
		add(last, "last")
	}
	if page > 1 {
		add(1, "first")
	}
	if len(links) > 0 {
		c.header.Set("Link", strings.Join(links, ", "))
	}
}

// intQuery returns an integer query parameter, or def when absent or bad
// (validation has already rejected non-integers).
func (c *call) intQuery(name string, def int) int {
	v := c.query.Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

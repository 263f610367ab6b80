package fakegithub

// OpGetRef is the operation name of "Get a reference", for Script and RequestsTo.
const OpGetRef = "GET /repos/{owner}/{repo}/git/ref/{ref}"

// getRef serves GET /repos/{owner}/{repo}/git/ref/{ref} ("heads/main").
func (c *call) getRef() reply {
	ref := "refs/" + c.params["ref"]
	sha := c.refSHA(ref)
	if sha == "" {
		return c.notFound()
	}
	base := c.s.http.URL + "/repos/" + c.repo.owner + "/" + c.repo.name
	return ok(map[string]any{
		"ref": ref, "node_id": nodeID("Ref", int64(len(ref))), "url": base + "/git/" + ref,
		"object": map[string]any{"type": "commit", "sha": sha, "url": base + "/git/commits/" + sha},
	})
}

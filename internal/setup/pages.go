package setup

import (
	"html/template"
	"net/http"
)

var pages = template.Must(template.New("form").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Register the Conviso GitHub App</title></head>
<body>
<h1>Register the Conviso GitHub App</h1>
<p>This server has no GitHub App credentials yet. Register the app on GitHub
from its manifest; GitHub then sends you back here and the app starts.</p>
<form action="{{.Action}}" method="post">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button type="submit">Register on GitHub</button>
</form>
<p>To register it for an organization, open <code>/?org=NAME</code>.</p>
<details><summary>Manifest</summary><pre>{{.Manifest}}</pre></details>
</body></html>
`))

func init() {
	template.Must(pages.New("done").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Conviso GitHub App registered</title></head>
<body>
<h1>The GitHub App {{.Slug}} is registered</h1>
<p>Its credentials (App ID, private key, webhook secret, OAuth client) are
stored in <code>{{.Path}}</code> (readable by this server's user only). Keep
that file safe, or move its values to your secret manager (start the server
with <code>--print-credentials</code> to print them on its standard output).</p>
<p>The app is starting. Install it on your repositories from GitHub's app page.</p>
</body></html>
`))
	template.Must(pages.New("error").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Registration failed</title></head>
<body>
<h1>Registration failed</h1>
<p>{{.}}</p>
<p>Nothing was stored. <a href="/">Start again</a>.</p>
</body></html>
`))
}

// render writes a page; a template error cannot happen with these data.
func render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pages.ExecuteTemplate(w, name, data)
}

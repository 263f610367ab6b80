// Package setup is the server conviso-app runs when it has no GitHub App
// credentials: it registers the app from its manifest (app.yml) through
// GitHub's manifest flow, Probot-style, and stores the credentials GitHub
// returns in the data directory (see config.CredentialsFile).
//
// Flow: GET / serves a form that posts the manifest to GitHub with a random
// state; GitHub redirects to /setup/callback?code=…&state=…; the server checks
// the state, exchanges the code (POST /app-manifests/{code}/conversions),
// stores the credentials with mode 0600 and stops, so the caller can load
// the configuration again and start the app.
package setup

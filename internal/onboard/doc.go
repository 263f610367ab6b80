// Package onboard knows every repository the app is installed on, brings
// each one under scan, says what is not covered, and notices when scan
// results or webhooks stop arriving.
//
//   - Inventory keeps installations and repositories in the store (keys
//     under "onboard:v1:"), fed by the installation,
//     installation_repositories and repository webhooks (Apply*Event) and
//     corrected by Reconcile, which lists GET /installation/repositories so
//     that a missed webhook leaves no hole.
//   - Planner hands every active repository not scanned since it was
//     covered to an Enqueue function for a baseline scan of its default branch, paced per
//     installation by a token bucket kept in the store (Budget), so a
//     restart resumes and nothing is enqueued twice. Progress reports how
//     far each installation is.
//   - Coverage (pure) and Inventory.CoverageReport compute, per
//     organization and per team (SyncTeams), the share of active
//     repositories with a recent successful scan (RecordScan), and list the
//     others with their reason.
//   - Inventory.Stale lists repositories whose pushes (RecordPush) got no
//     scan; Redeliverer redelivers webhook deliveries that failed.
//
// Wiring, in the app:
//
//	inv := &onboard.Inventory{KV: st}
//	// handlers: installation -> inv.ApplyInstallationEvent (then, on "created",
//	// inv.Reconcile with the installation's client); installation_repositories
//	// -> inv.ApplyInstallationRepositoriesEvent; repository ->
//	// inv.ApplyRepositoryEvent; push to the default branch -> inv.RecordPush;
//	// every finished default-branch scan -> inv.RecordScan.
//	planner := &onboard.Planner{KV: st, Enqueue: enqueueBaseline}
//	go planner.Run(ctx)
//	rd := &onboard.Redeliverer{AppClient: cc.NewAppClient, KV: st}
//	go rd.Run(ctx, onboard.DefaultRedeliveryInterval)
//	// GET /api/v1/coverage -> inv.CoverageReport(ctx, 0, policy) as JSON.
package onboard

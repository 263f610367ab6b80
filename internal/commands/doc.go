// Package commands reads the /conviso commands that developers write in pull
// request comments. Parse is pure: it takes a comment's body and the current
// time and returns the commands to run and the problems to explain, without
// side effects.
//
// # Syntax
//
// One command per line, at the start of the line (up to three spaces before
// it), verb in any case:
//
//	/conviso retest
//	/conviso exception <finding-id|rule:<rule-id>> <kind> [until:YYYY-MM-DD] <reason...>
//	/conviso approve <finding-id|rule:<rule-id>>
//	/conviso revoke <finding-id|rule:<rule-id>>
//	/conviso exceptions
//	/conviso help
//
// The table in table.go drives parsing, the usage texts and Help.
//
// # What is not a command
//
// The body is read as GitHub renders it (CommonMark): lines inside fenced
// code blocks, indented code blocks, block quotes (including their lazy
// continuation lines), HTML blocks of kinds 1 to 5 (comments, <pre>, ...),
// and lines that begin inside a multi-line code span, HTML comment or HTML
// tag are never commands. Nor is text after a list marker ("- /conviso
// retest"): the command must start the line. The reading errs towards
// ignoring: a construct it cannot tell apart hides the lines it might cover.
//
// Look-alikes of /conviso (fullwidth or Cyrillic letters, invisible
// characters, compatibility forms) are refused with a Problem that names the
// offending character, so that text pasted from a rich editor is explained
// and never run.
//
// # Cost
//
// Parse reads a comment in time linear in its length (GitHub allows 65,536
// characters), returns at most MaxCommands commands and MaxProblems
// problems (plus one counting the rest), and quotes user text in problems
// only inside code spans, shortened.
package commands

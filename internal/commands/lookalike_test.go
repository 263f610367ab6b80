package commands

import "testing"

// TestLookalikePrefixes checks that hostile or pasted variants of /conviso
// never run, and that the problem names the character.
func TestLookalikePrefixes(t *testing.T) {
	const tail = "; type the command instead of pasting it"
	like := func(what string) string { return "not recognised as a command because it contains " + what + tail }
	tests := []struct{ name, body, message string }{
		{"fullwidth solidus", "／conviso retest", like("a look-alike character, U+FF0F in place of `/`")},
		{"fraction slash", "⁄conviso retest", like("a look-alike character, U+2044 in place of `/`")},
		{"division slash", "∕conviso retest", like("a look-alike character, U+2215 in place of `/`")},
		{"Cyrillic es", "/сonviso retest", like("a look-alike character, U+0441 in place of `c`")},
		{"Cyrillic o", "/convisо retest", like("a look-alike character, U+043E in place of `o`")},
		{"Cyrillic dze", "/conviѕo retest", like("a look-alike character, U+0455 in place of `s`")},
		{"Cyrillic i", "/convіso retest", like("a look-alike character, U+0456 in place of `i`")},
		{"Greek omicron", "/cοnviso retest", like("a look-alike character, U+03BF in place of `o`")},
		{"Greek nu", "/conνiso retest", like("a look-alike character, U+03BD in place of `v`")},
		{"small capital", "/ᴄonviso retest", like("a look-alike character, U+1D04 in place of `c`")},
		{"fullwidth letters", "/ｃｏｎｖｉｓｏ retest", like("a look-alike character, U+FF43 in place of `c`")},
		{"mathematical bold", "/𝐜𝐨𝐧𝐯𝐢𝐬𝐨 retest", like("a look-alike character, U+1D41C in place of `c`")},
		{"roman numeral (NFKC)", "/ⅽonviso retest", like("a look-alike character, U+217D in place of `c`")},
		{"long s (NFKC, and a case-folding trap)", "/conviſo retest", like("a look-alike character, U+017F in place of `s`")},
		{"accented letter", "/cónviso retest", like("a look-alike character, U+00F3 in place of `o`")},
		{"combining mark", "/co\u0301nviso retest", like("an invisible character, U+0301")},
		{"zero-width space inside", "/con\u200bviso retest", like("an invisible character, U+200B")},
		{"zero-width joiner before", "\u200d/conviso retest", like("an invisible character, U+200D")},
		{"word joiner", "/conviso\u2060 retest", like("an invisible character, U+2060")},
		{"byte order mark", "\ufeff/conviso retest", like("an invisible character, U+FEFF")},
		{"right-to-left override", "\u202e/conviso retest", like("an invisible character, U+202E")},
		{"soft hyphen", "/con\u00adviso retest", like("an invisible character, U+00AD")},
		{"Hangul filler", "/conviso\u3164 retest", like("an invisible character, U+3164")},
		{"no-break space after", "/conviso\u00a0retest", like("a look-alike of a space, U+00A0")},
		{"ideographic space before", "\u3000/conviso retest", like("a look-alike of a space, U+3000")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.body, now)
			want := Problem{Line: 1, Message: tt.message, Usage: usageRetest, Suggestion: "/conviso retest"}
			if len(got.Commands) != 0 || len(got.Problems) != 1 || got.Problems[0] != want {
				t.Errorf("Parse(%q) = %#v\nwant the problem %#v", tt.body, got, want)
			}
		})
	}
}

// TestLookalikeArguments checks look-alikes after a genuine prefix: in the
// verb, the kind, the target, and text that should not be there.
func TestLookalikeArguments(t *testing.T) {
	tests := []struct {
		name, body string
		want       Problem
	}{
		{"verb with Cyrillic e", "/conviso rеtest", Problem{
			Message: "unknown command `rеtest` (it contains a look-alike character, U+0435 in place of `e`)", Usage: usageRetest, Suggestion: "/conviso retest"}},
		{"verb with a trailing zero-width space", "/conviso retest\u200b", Problem{
			Message: "unknown command `retest\uFFFD` (it contains an invisible character, U+200B)", Usage: usageRetest, Suggestion: "/conviso retest"}},
		{"verb glued with a zero-width space", "/conviso\u200bretest", Problem{
			Message: "unknown command `/conviso\uFFFDretest` (it contains an invisible character, U+200B)", Usage: usageRetest, Suggestion: "/conviso retest"}},
		{"kind with the Kelvin sign", exc + "accepted-ris\u212a fine", Problem{
			Message: "unknown exception kind `accepted-ris\u212a` (it contains a look-alike character, U+212A in place of `K`): use " + kindsText,
			Usage:   usageException, Suggestion: "accepted-risk"}},
		{"kind with an en dash", exc + "false–positive fine", Problem{
			Message: "unknown exception kind `false–positive` (it contains a look-alike character, U+2013 in place of `-`): use " + kindsText,
			Usage:   usageException, Suggestion: "false-positive"}},
		{"finding id with a fullwidth digit", "/conviso approve f-０123456789ab", Problem{
			Message: "`f-０123456789ab` is not a finding id: write `f-` and 12 hex digits (it contains a look-alike character, U+FF10 in place of `0`)",
			Usage:   usageApprove, Suggestion: fid}},
		{"rule prefix with Cyrillic e", "/conviso revoke rulе:aws", Problem{
			Message: "`rulе:aws` is not a finding id (`f-` and 12 hex digits) or a rule (`rule:<rule-id>`) (it contains a look-alike character, U+0435 in place of `e`)",
			Usage:   usageRevoke, Suggestion: "rule:aws"}},
		{"invisible text after a command", "/conviso retest \u200b", Problem{
			Message: "unexpected text after the command: `\uFFFD` (it contains an invisible character, U+200B)", Usage: usageRetest}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.body, now)
			tt.want.Line = 1
			if len(got.Commands) != 0 || len(got.Problems) != 1 || got.Problems[0] != tt.want {
				t.Errorf("Parse(%q) = %#v\nwant the problem %#v", tt.body, got, tt.want)
			}
		})
	}
}

// TestLookalikesInQuotesAndCode checks that look-alikes inside ignored
// Markdown are ignored too, and that a reason may hold any character.
func TestLookalikesInQuotesAndCode(t *testing.T) {
	for _, body := range []string{"> ／conviso retest", "```\n／conviso retest\n```", "<!-- ／conviso retest -->", "- ／conviso retest"} {
		if got := Parse(body, now); !got.Ignore() {
			t.Errorf("Parse(%q) = %+v, want it ignored", body, got)
		}
	}
	got := Parse(exc+"false-positive сlé ／ ok\u200b", now)
	if len(got.Commands) != 1 || got.Commands[0].Reason != "сlé ／ ok\u200b" {
		t.Errorf("reason with non-ASCII: %+v", got)
	}
}

func TestSkeletonIsIdempotent(t *testing.T) {
	for _, s := range []string{"／сonviso", "𝐜ﬁ\u200b", "accepted-ris\u212a", "plain", "\xff\xfe"} {
		once := skeleton(s)
		if twice := skeleton(once); twice != once {
			t.Errorf("skeleton(skeleton(%q)) = %q, want %q", s, twice, once)
		}
	}
}

package sarif

import (
	"strconv"
	"strings"
)

// messageOf returns a result's message text: its text (else Markdown),
// else the rule's message string named by its id, with the "{n}"
// placeholders replaced by its arguments (SARIF §3.11.5).
func messageOf(m messageDecl, rule *ruleInfo) string {
	text := cmpOr(m.Text, m.Markdown)
	if text == "" && m.ID != "" && rule != nil {
		text = rule.messages[m.ID]
	}
	if len(m.Arguments) > 0 || strings.Contains(text, "{{") || strings.Contains(text, "}}") {
		text = substitute(text, m.Arguments)
	}
	return strings.TrimSpace(text)
}

// substitute replaces "{n}" by args[n] and "{{", "}}" by a brace. A
// placeholder without its argument is left as written.
func substitute(text string, args []string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		if (c == '{' || c == '}') && i+1 < len(text) && text[i+1] == c {
			b.WriteByte(c)
			i++
			continue
		}
		if c == '{' {
			if end := strings.IndexByte(text[i:], '}'); end > 1 {
				if n, err := strconv.Atoi(text[i+1 : i+end]); err == nil && n >= 0 && n < len(args) {
					b.WriteString(args[n])
					i += end
					continue
				}
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

package commands

import (
	"fmt"
	"time"
)

// Parse returns the commands and problems of a comment body, in order. now
// decides whether an until: date is in the past. Parse is pure: it has no
// side effects and the same input gives the same output.
func Parse(body string, now time.Time) Parsed {
	p := parser{now: now}
	scanMarkdown(body, p.candidate)
	return p.finish()
}

// parser collects the results of one comment.
type parser struct {
	now          time.Time
	out          Parsed
	omitted      int // problems beyond MaxProblems
	firstOmitted int // the line of the first of them
}

// candidate reads one line that the Markdown scan did not rule out.
func (p *parser) candidate(l candidate) {
	if l.lazyQuote {
		if tok, _ := cutToken(l.text); hasPrefixFold(tok, Prefix) {
			p.problem(Problem{Line: l.num,
				Message: "not run: this line continues the quote above it; leave a blank line after a quote"})
		}
		return
	}
	cmd, prob, found := parseLine(l.text, p.now)
	switch {
	case !found:
	case prob != nil:
		prob.Line = l.num
		p.problem(*prob)
	case len(p.out.Commands) == MaxCommands:
		p.problem(Problem{Line: l.num, Message: fmt.Sprintf("not run: a comment may hold at most %d commands", MaxCommands)})
	default:
		cmd.Line = l.num
		p.out.Commands = append(p.out.Commands, cmd)
	}
}

// problem records a problem, or counts it beyond MaxProblems.
func (p *parser) problem(pr Problem) {
	if len(p.out.Problems) < MaxProblems {
		p.out.Problems = append(p.out.Problems, pr)
		return
	}
	if p.omitted == 0 {
		p.firstOmitted = pr.Line
	}
	p.omitted++
}

// finish adds the count of omitted problems.
func (p *parser) finish() Parsed {
	if p.omitted > 0 {
		p.out.Problems = append(p.out.Problems, Problem{Line: p.firstOmitted,
			Message: fmt.Sprintf("problems not listed, from this line on: %d", p.omitted)})
	}
	return p.out
}

// parseLine reads one line (leading white space removed). found is false
// for ordinary text; otherwise exactly one of the command and the problem
// is valid.
func parseLine(text string, now time.Time) (cmd Command, prob *Problem, found bool) {
	head, rest := cutToken(text)
	if lowerASCII(head) == Prefix {
		cmd, prob = parseCommand(rest, now)
		return cmd, prob, true
	}
	if prob = lookalikeLine(text); prob == nil {
		prob = gluedVerb(head)
	}
	if prob == nil {
		prob = misspelledPrefix(head, rest)
	}
	return Command{}, prob, prob != nil
}

// parseCommand reads what follows Prefix.
func parseCommand(rest string, now time.Time) (Command, *Problem) {
	verb, args := cutToken(rest)
	if verb == "" {
		return Command{}, &Problem{Message: "missing the command after " + code(Prefix) + "; " + helpHint}
	}
	s, ok := lookup(lowerASCII(verb))
	if !ok {
		return Command{}, unknownVerb(verb)
	}
	cmd, iss := s.parse(args, now)
	if iss != nil {
		return Command{}, &Problem{Message: iss.message, Usage: s.usage(), Suggestion: iss.suggestion}
	}
	cmd.Kind = s.kind
	return cmd, nil
}

// helpHint points to the help command.
var helpHint = code(Prefix+" "+string(KindHelp)) + " lists the commands"

// unknownVerb explains a verb that is not in the table.
func unknownVerb(verb string) *Problem {
	p := &Problem{Message: "unknown command " + userCode(verb) + lookalikeNote(verb)}
	guess := lowerASCII(skeleton(verb))
	if _, ok := lookup(guess); !ok {
		guess = suggest(verb, verbs())
	}
	return withGuess(p, guess)
}

// withGuess adds to p the command guessed, with its usage, or the help hint.
func withGuess(p *Problem, guess string) *Problem {
	if s, ok := lookup(guess); ok {
		p.Suggestion, p.Usage = Prefix+" "+guess, s.usage()
	} else {
		p.Message += "; " + helpHint
	}
	return p
}

// gluedVerb explains "/convisoretest": the prefix with no space after it.
func gluedVerb(head string) *Problem {
	if !hasPrefixFold(head, Prefix) {
		return nil
	}
	verb := lowerASCII(head[len(Prefix):])
	if _, ok := lookup(verb); ok {
		return withGuess(&Problem{Message: "missing a space after " + code(Prefix) + " in " + userCode(head)}, verb)
	}
	return withGuess(&Problem{Message: "unknown command " + userCode(head) + lookalikeNote(head)}, suggest(verb, verbs()))
}

// misspelledPrefix explains "/convsio retest": a first word close to Prefix
// followed by a verb of the table (both needed, to leave conversation be).
func misspelledPrefix(head, rest string) *Problem {
	verb, _ := cutToken(rest)
	if _, ok := lookup(lowerASCII(verb)); !ok || len(head) < 2 || len(head) > 2*len(Prefix) || head[0] != '/' {
		return nil
	}
	if d := distance([]rune(lowerASCII(head)), []rune(Prefix)); d == 0 || d > 2 {
		return nil
	}
	return withGuess(&Problem{Message: "unknown command " + userCode(head)}, lowerASCII(verb))
}

// lookalikeLine explains a line that would be a command but for look-alike
// characters: it is refused, never run.
func lookalikeLine(text string) *Problem {
	r, imit, rest, ok := lookalikePrefix(text)
	if !ok {
		return nil
	}
	p := &Problem{Message: "not recognised as a command because it contains " + describeLookalike(r, imit) +
		"; type the command instead of pasting it"}
	verb, _ := cutToken(skeleton(rest))
	if s, ok := lookup(lowerASCII(verb)); ok {
		p.Suggestion, p.Usage = Prefix+" "+string(s.kind), s.usage()
	}
	return p
}

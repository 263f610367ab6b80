package sarif

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The types below decode only the parts of SARIF objects that a finding
// needs; everything else (code flows, graphs, fixes, help text...) is
// skipped by the decoder without being kept. Indexes are signed because
// SARIF uses -1 for "not set".

// messageDecl is a SARIF message or multiformatMessageString.
type messageDecl struct {
	Text      string   `json:"text"`
	Markdown  string   `json:"markdown"`
	ID        string   `json:"id"`
	Arguments []string `json:"arguments"`
}

// propertiesDecl is the part of a property bag that is used.
type propertiesDecl struct {
	Tags             []string       `json:"tags"`
	SecuritySeverity jsontext.Value `json:"security-severity"`
}

// toolComponentRefDecl is a toolComponentReference.
type toolComponentRefDecl struct {
	Name  string `json:"name"`
	Index *int   `json:"index"`
}

// descriptorRefDecl is a reportingDescriptorReference (a rule or taxon).
type descriptorRefDecl struct {
	ID            string                `json:"id"`
	Index         *int                  `json:"index"`
	ToolComponent *toolComponentRefDecl `json:"toolComponent"`
}

// ruleDecl is a reportingDescriptor (a rule).
type ruleDecl struct {
	ID                   string                 `json:"id"`
	Name                 string                 `json:"name"`
	ShortDescription     *messageDecl           `json:"shortDescription"`
	FullDescription      *messageDecl           `json:"fullDescription"`
	HelpURI              string                 `json:"helpUri"`
	MessageStrings       map[string]messageDecl `json:"messageStrings"`
	DefaultConfiguration *struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
	Properties    *propertiesDecl `json:"properties"`
	Relationships []struct {
		Target descriptorRefDecl `json:"target"`
	} `json:"relationships"`
}

// artifactLocationDecl is an artifactLocation.
type artifactLocationDecl struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

// regionDecl is a region.
type regionDecl struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
	Snippet     *struct {
		Text string `json:"text"`
	} `json:"snippet"`
}

// locationDecl is a location; only its physical location is used.
type locationDecl struct {
	PhysicalLocation *struct {
		ArtifactLocation *artifactLocationDecl `json:"artifactLocation"`
		Region           *regionDecl           `json:"region"`
	} `json:"physicalLocation"`
}

// firstLocation decodes a locations array keeping only its first element
// (the primary location); the others are skipped unread.
type firstLocation struct {
	loc *locationDecl
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (f *firstLocation) UnmarshalJSONFrom(d *jsontext.Decoder) error {
	if d.PeekKind() == 'n' {
		_, err := d.ReadToken()
		return err
	}
	tok, err := d.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '[' {
		return &json.SemanticError{JSONKind: tok.Kind()}
	}
	for d.PeekKind() != ']' {
		if f.loc != nil {
			if err := d.SkipValue(); err != nil {
				return err
			}
			continue
		}
		f.loc = new(locationDecl)
		if err := json.UnmarshalDecode(d, f.loc); err != nil {
			return err
		}
	}
	_, err = d.ReadToken()
	return err
}

// suppressionDecl is a suppression.
type suppressionDecl struct {
	Kind   string `json:"kind"`
	Status string `json:"status"`
}

// resultDecl is a result.
type resultDecl struct {
	RuleID              string              `json:"ruleId"`
	RuleIndex           *int                `json:"ruleIndex"`
	Rule                *descriptorRefDecl  `json:"rule"`
	Kind                string              `json:"kind"`
	Level               string              `json:"level"`
	Message             messageDecl         `json:"message"`
	Locations           firstLocation       `json:"locations"`
	PartialFingerprints map[string]string   `json:"partialFingerprints"`
	Properties          *propertiesDecl     `json:"properties"`
	Taxa                []descriptorRefDecl `json:"taxa"`
	Suppressions        []suppressionDecl   `json:"suppressions"`
}

// baseDecl is an entry of originalUriBaseIds.
type baseDecl = artifactLocationDecl

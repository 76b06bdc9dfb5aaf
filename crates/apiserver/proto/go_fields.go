// Command go_fields lists what the JSON form of Kubernetes' API types keeps that their protobuf
// descriptors do not say, one "package.Message field ROLE" line per field, sorted:
//   - kept: a scalar whose zero value (0, false, "") still appears in JSON — pointers (`*int32`,
//     where 0 is a choice) and fields without `omitempty`. A protobuf body cannot tell a zero from
//     an absent value; the embedded API server writes decoded objects as the Go types' JSON would.
//   - inline: a struct embedded with `json:",inline"` (IngressRule's IngressRuleValue, Volume's
//     VolumeSource): its fields appear in the parent's JSON object.
//   - struct: a struct held by value, which Go writes even when empty (`status: {}`);
//   - present: a list, map or pointer without `omitempty`, which Go writes as null when nil.
//     Server-side apply's field ownership starts a created object from the type's zero value,
//     which holds these two: such a field is changed by a create, not added.
// Reads the types.go files under the directories given.
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
)

func main() {
	var lines []string
	for _, root := range os.Args[1:] {
		filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			lines = append(lines, fieldsOf(path)...)
			return nil
		})
	}
	sort.Strings(lines)
	fmt.Print(strings.Join(lines, "\n") + "\n")
}

// fieldsOf reads one file; the proto package comes from its `// +k8s:protobuf` directory name
// as generated.proto declares it (k8s.io/api/apps/v1 -> k8s.io.api.apps.v1).
func fieldsOf(path string) []string {
	file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil
	}
	dir := filepath.ToSlash(filepath.Dir(path))
	at := strings.Index(dir, "k8s.io/")
	if at < 0 {
		return nil
	}
	module := dir[at:]
	// drop the module version: k8s.io/api@v0.36.3/apps/v1 -> k8s.io/api/apps/v1
	if i := strings.Index(module, "@"); i >= 0 {
		rest := module[i:]
		if j := strings.Index(rest, "/"); j >= 0 {
			module = module[:i] + rest[j:]
		} else {
			module = module[:i]
		}
	}
	pkg := strings.ReplaceAll(module, "/", ".")
	var lines []string
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gen.Specs {
			typ, ok := spec.(*ast.TypeSpec)
			if !ok {
				continue
			}
			st, ok := typ.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, field := range st.Fields.List {
				if field.Tag == nil {
					continue
				}
				tag := reflect.StructTag(strings.Trim(field.Tag.Value, "`"))
				name := protoName(tag.Get("protobuf"))
				if name == "" {
					continue
				}
				json := tag.Get("json")
				omitempty := strings.Contains(json, "omitempty")
				_, pointer := field.Type.(*ast.StarExpr)
				role := ""
				switch {
				case strings.HasPrefix(json, ",inline"):
					role = "inline"
				case scalar(field.Type):
					if pointer || !omitempty {
						role = "kept"
					}
				case structValue(field.Type):
					role = "struct"
				case !omitempty:
					role = "present"
				}
				if role != "" {
					lines = append(lines, pkg+"."+typ.Name.Name+" "+name+" "+role)
				}
			}
		}
	}
	return lines
}

func protoName(tag string) string {
	for _, part := range strings.Split(tag, ",") {
		if strings.HasPrefix(part, "name=") {
			return strings.TrimPrefix(part, "name=")
		}
	}
	return ""
}

// scalar: a (pointer to a) basic type or a named string/number type of the API (e.g. Protocol).
func scalar(expr ast.Expr) bool {
	if star, ok := expr.(*ast.StarExpr); ok {
		expr = star.X
	}
	ident, ok := expr.(*ast.Ident)
	if !ok {
		return false
	}
	switch ident.Name {
	case "string", "bool", "int", "int32", "int64", "uint32", "uint64", "float32", "float64":
		return true
	}
	// named types declared as strings or numbers (type Protocol string) resolve through Obj
	if ident.Obj != nil {
		if spec, ok := ident.Obj.Decl.(*ast.TypeSpec); ok {
			return scalar(spec.Type)
		}
	}
	return false
}

// structValue: a struct type held by value (not a pointer, list or map); `omitempty` never leaves
// such a field out of JSON.
func structValue(expr ast.Expr) bool {
	switch t := expr.(type) {
	case *ast.Ident:
		if t.Obj != nil {
			if spec, ok := t.Obj.Decl.(*ast.TypeSpec); ok {
				_, isStruct := spec.Type.(*ast.StructType)
				return isStruct
			}
		}
		return false
	case *ast.SelectorExpr:
		// a type of another package (metav1.ObjectMeta, resource.Quantity): structs, except the
		// ones whose JSON is a string or number
		switch t.Sel.Name {
		case "Quantity", "Time", "MicroTime", "Duration", "IntOrString":
			return false
		}
		return true
	}
	return false
}

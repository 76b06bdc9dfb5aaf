// Command zero_values lists the protobuf fields of Kubernetes' API types whose zero value (0,
// false, "") still appears in the JSON form: pointers (`*int32`, where 0 is a choice) and fields
// without `omitempty`. A protobuf body cannot tell a zero from an absent value, so the embedded
// API server reads this list to write decoded objects as the Go types' JSON would. Reads the
// types.go files under the directories given; prints "package.Message field" lines, sorted.
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
				if name == "" || !scalar(field.Type) {
					continue
				}
				_, pointer := field.Type.(*ast.StarExpr)
				if pointer || !strings.Contains(tag.Get("json"), "omitempty") {
					lines = append(lines, pkg+"."+typ.Name.Name+" "+name)
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

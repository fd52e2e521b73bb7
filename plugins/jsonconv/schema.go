package jsonconv

import (
	"github.com/goconnect/goconnect/api/data"
)

// asConnectSchema is Java's JsonConverter.asConnectSchema.
func asConnectSchema(n *node, replaceNull bool) (*data.Schema, error) {
	if n == nil || n.kind == kindNull {
		return nil, nil
	}
	t := n.get("type")
	if t == nil || t.kind != kindString {
		return nil, data.Errorf("Schema must contain 'type' field")
	}
	s := &data.Schema{}
	switch t.str {
	case "boolean":
		s.Type = data.TypeBoolean
	case "int8":
		s.Type = data.TypeInt8
	case "int16":
		s.Type = data.TypeInt16
	case "int32":
		s.Type = data.TypeInt32
	case "int64":
		s.Type = data.TypeInt64
	case "float":
		s.Type = data.TypeFloat32
	case "double":
		s.Type = data.TypeFloat64
	case "bytes":
		s.Type = data.TypeBytes
	case "string":
		s.Type = data.TypeString
	case "array":
		s.Type = data.TypeArray
		items := n.get("items")
		if items == nil || items.kind == kindNull {
			return nil, data.Errorf("Array schema did not specify the element type")
		}
		elem, err := asConnectSchema(items, replaceNull)
		if err != nil {
			return nil, err
		}
		s.ValueSchema = elem
	case "map":
		s.Type = data.TypeMap
		k := n.get("keys")
		if k == nil {
			return nil, data.Errorf("Map schema did not specify the key type")
		}
		v := n.get("values")
		if v == nil {
			return nil, data.Errorf("Map schema did not specify the value type")
		}
		var err error
		if s.KeySchema, err = asConnectSchema(k, replaceNull); err != nil {
			return nil, err
		}
		if s.ValueSchema, err = asConnectSchema(v, replaceNull); err != nil {
			return nil, err
		}
	case "struct":
		s.Type = data.TypeStruct
		fields := n.get("fields")
		if fields == nil || fields.kind != kindArray {
			return nil, data.Errorf("Struct schema's \"fields\" argument is not an array.")
		}
		s.Fields = []data.Field{}
		for _, f := range fields.arr {
			name := f.get("field")
			if name == nil || name.kind != kindString {
				return nil, data.Errorf("Struct schema's field name not specified properly")
			}
			fs, err := asConnectSchema(f, replaceNull)
			if err != nil {
				return nil, err
			}
			if s.Field(name.str) != nil {
				return nil, data.Errorf("Cannot create field because of field name duplication %s", name.str)
			}
			s.Fields = append(s.Fields, data.Field{Name: name.str, Index: len(s.Fields), Schema: fs})
		}
	default:
		return nil, data.Errorf("Unknown schema type: %s", t.str)
	}
	if o := n.get("optional"); o != nil && o.kind == kindBool && o.boolean {
		s.Optional = true
	}
	if nm := n.get("name"); nm != nil && nm.kind == kindString {
		s.Name = nm.str
	}
	if v := n.get("version"); v != nil && v.kind.isIntegral() {
		s.Version = data.Int32Ptr(int32(v.longValue()))
	}
	if d := n.get("doc"); d != nil && d.kind == kindString {
		s.Doc = data.StringPtr(d.str)
	}
	if p := n.get("parameters"); p != nil && p.kind == kindObject {
		s.Parameters = make(map[string]string, len(p.obj))
		for _, m := range p.obj {
			if m.val.kind != kindString {
				return nil, data.Errorf("Schema parameters must have string values.")
			}
			s.Parameters[m.name] = m.val.str
		}
	}
	if d := n.get("default"); d != nil {
		v, err := toConnect(s, d, replaceNull)
		if err != nil {
			return nil, err
		}
		if _, isStruct := v.(*data.Struct); isStruct {
			// Java builds the default Struct with the schema built so far, which never
			// equals the SchemaBuilder it is validated against: a struct default in
			// JSON is always rejected.
			return nil, data.Errorf("Invalid default value")
		}
		if err := data.ValidateValue("", s, v); err != nil {
			return nil, data.Errorf("Invalid default value")
		}
		s.Default = v
	}
	return s, nil
}

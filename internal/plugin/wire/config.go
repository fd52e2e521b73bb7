package wire

import (
	"fmt"

	"github.com/goconnect/goconnect/api/config"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
)

// EncodeDef encodes a configuration definition. Validators and recommenders are
// code and cannot cross: validation runs in the plugin (the Validate call), and
// the worker-side definition is used for listing keys only.
func EncodeDef(d *config.Def) (*pb.ConfigDef, error) {
	if d == nil {
		return nil, nil
	}
	out := &pb.ConfigDef{}
	for _, k := range d.Keys() {
		pk := &pb.ConfigKey{
			Name: k.Name, Type: int32(k.Type), Required: k.Required(), Importance: int32(k.Importance),
			Doc: k.Doc, Group: k.Group, OrderInGroup: int32(k.OrderInGroup), Width: int32(k.Width),
			DisplayName: k.DisplayName, Dependents: k.Dependents, Internal: k.Internal,
		}
		if !pk.Required && k.Default != nil {
			v, err := EncodeValue(k.Default)
			if err != nil {
				return nil, fmt.Errorf("encode default of config key %s: %w", k.Name, err)
			}
			pk.DefaultValue = v
		}
		out.Keys = append(out.Keys, pk)
	}
	return out, nil
}

// DecodeDef decodes a configuration definition; nil decodes as nil.
func DecodeDef(pd *pb.ConfigDef) (*config.Def, error) {
	if pd == nil {
		return nil, nil
	}
	d := config.NewDef()
	for _, pk := range pd.Keys {
		k := config.Key{
			Name: pk.Name, Type: config.Type(pk.Type), Importance: config.Importance(pk.Importance),
			Doc: pk.Doc, Group: pk.Group, OrderInGroup: int(pk.OrderInGroup), Width: config.Width(pk.Width),
			DisplayName: pk.DisplayName, Dependents: pk.Dependents, Internal: pk.Internal,
		}
		if pk.Required {
			k.Default = config.NoDefault
		} else if pk.DefaultValue != nil {
			v, err := DecodeValue(pk.DefaultValue)
			if err != nil {
				return nil, fmt.Errorf("decode default of config key %s: %w", pk.Name, err)
			}
			k.Default = v
		}
		d.Define(k)
	}
	return d, nil
}

// EncodeConfigValues encodes per-key validation results.
func EncodeConfigValues(vs []config.Value) ([]*pb.ConfigValue, error) {
	out := make([]*pb.ConfigValue, len(vs))
	for i, v := range vs {
		pv := &pb.ConfigValue{Name: v.Name, Errors: v.Errors, Visible: v.Visible}
		var err error
		if pv.Value, err = EncodeValue(v.Value); err != nil {
			return nil, fmt.Errorf("encode value of config key %s: %w", v.Name, err)
		}
		for _, r := range v.RecommendedValues {
			rv, err := EncodeValue(r)
			if err != nil {
				return nil, fmt.Errorf("encode recommended value of config key %s: %w", v.Name, err)
			}
			pv.RecommendedValues = append(pv.RecommendedValues, rv)
		}
		out[i] = pv
	}
	return out, nil
}

// DecodeConfigValues decodes per-key validation results.
func DecodeConfigValues(l []*pb.ConfigValue) ([]config.Value, error) {
	out := make([]config.Value, len(l))
	for i, pv := range l {
		v := config.Value{Name: pv.Name, Errors: pv.Errors, Visible: pv.Visible}
		var err error
		if v.Value, err = DecodeValue(pv.Value); err != nil {
			return nil, err
		}
		for _, r := range pv.RecommendedValues {
			rv, err := DecodeValue(r)
			if err != nil {
				return nil, err
			}
			v.RecommendedValues = append(v.RecommendedValues, rv)
		}
		out[i] = v
	}
	return out, nil
}

package herder

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/goconnect/goconnect/internal/configtransform"
)

// What both herders do with a connector config before they store or run it.

// resolveTimeout bounds one round of config-provider lookups.
const resolveTimeout = 30 * time.Second

// Resolve applies config providers (nil: none) to a stored config before it is
// handed to the worker. Stored configs keep their ${provider:path:key}
// placeholders; only the worker ever sees resolved values.
func Resolve(t *configtransform.Transformer, props map[string]string) (map[string]string, error) {
	if t == nil {
		return props, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	res, err := t.Transform(ctx, props)
	if err != nil {
		return nil, fmt.Errorf("resolve config providers: %w", err)
	}
	return res.Data, nil
}

// ValidateResolved validates the config with its references resolved, then shows
// the user the values they sent: keys that held references get their raw value
// back, and any resolved secret in an error message is replaced by its reference.
func ValidateResolved(t *configtransform.Transformer, raw map[string]string,
	validate func(map[string]string) (ConfigInfos, error)) (ConfigInfos, error) {
	if t == nil {
		return validate(raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	res, err := t.Transform(ctx, raw)
	if err != nil {
		return ConfigInfos{}, fmt.Errorf("resolve config providers: %w", err)
	}
	infos, err := validate(res.Data)
	if err != nil {
		var he *Error
		if errors.As(err, &he) {
			return infos, &Error{Kind: he.Kind, Message: res.Redact(he.Message)}
		}
		return infos, errors.New(res.Redact(err.Error()))
	}
	for i := range infos.Configs {
		v := infos.Configs[i].Value
		if v == nil {
			continue
		}
		if rv, ok := raw[v.Name]; ok && configtransform.HasReference(rv) {
			v.Value = &rv
		}
		for j, e := range v.Errors {
			v.Errors[j] = res.Redact(e)
		}
	}
	return infos, nil
}

// CheckName is ConnectorsResource.checkAndPutConnectorConfigName: a name in the
// config must equal the URL's; a missing one is added. It returns a copy. The REST
// layer leaves this check to the herders so it lives in one place.
func CheckName(name string, config map[string]string) (map[string]string, error) {
	out := maps.Clone(config)
	if out == nil {
		out = map[string]string{}
	}
	if n, ok := out["name"]; ok {
		if n != name {
			return nil, Errorf(ErrBadRequest, "Connector name configuration (%s) doesn't match connector name in the URL (%s)", n, name)
		}
	} else {
		out["name"] = name
	}
	return out, nil
}

// ValidateForWrite runs full validation before a create or update; a config with
// errors is a 400 with Java's composite message.
func ValidateForWrite(validate func(map[string]string) (ConfigInfos, error), config map[string]string) error {
	infos, err := validate(config)
	if err != nil {
		var he *Error
		if errors.As(err, &he) {
			return err
		}
		return Errorf(ErrBadRequest, "%s", err.Error())
	}
	return ValidationError(infos)
}

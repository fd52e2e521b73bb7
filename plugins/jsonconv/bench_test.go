package jsonconv

import (
	"fmt"
	"strconv"
	"testing"
)

// The records of bench/pipelines.go: the JDBC sinks' orders (a six-field struct
// with its schema in every envelope), their int64 keys, and file-sink's strings.
const benchOrderSchema = `{"type":"struct","name":"bench.Order","optional":false,"fields":[` +
	`{"field":"id","type":"int64","optional":false},` +
	`{"field":"customer","type":"string","optional":false},` +
	`{"field":"product","type":"string","optional":false},` +
	`{"field":"quantity","type":"int32","optional":false},` +
	`{"field":"price","type":"double","optional":false},` +
	`{"field":"note","type":"string","optional":false}]}`

func benchOrder(i int64) []byte {
	payload := fmt.Sprintf(`{"id":%d,"customer":"customer-%06d","product":"product-%04d","quantity":%d,"price":%d.%02d,"note":%q}`,
		i, i%100000, i%5000, 1+i%20, 1+i%500, i%100, "the quick brown fox jumps over the lazy dog, record number "+strconv.FormatInt(i, 10)+" of the benchmark run .....")
	return []byte(`{"schema":` + benchOrderSchema + `,"payload":` + payload + `}`)
}

func benchToConnectData(b *testing.B, gen func(i int64) []byte) {
	c := New()
	if err := c.Configure(map[string]string{"schemas.enable": "true"}, false); err != nil {
		b.Fatal(err)
	}
	const n = 1024
	in := make([][]byte, n)
	size := 0
	for i := range in {
		in[i] = gen(int64(i))
		size += len(in[i])
	}
	b.SetBytes(int64(size / n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, _, err := c.ToConnectData("t", nil, in[i%n]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkToConnectDataStruct(b *testing.B) { benchToConnectData(b, benchOrder) }

func BenchmarkToConnectDataInt64(b *testing.B) {
	benchToConnectData(b, func(i int64) []byte {
		return []byte(`{"schema":{"type":"int64","optional":false},"payload":` + strconv.FormatInt(i, 10) + `}`)
	})
}

func BenchmarkToConnectDataString(b *testing.B) {
	benchToConnectData(b, func(i int64) []byte {
		return []byte(`{"schema":{"type":"string","optional":false},"payload":"line ` + strconv.FormatInt(i, 10) + ` of the file, padded to look like a log line ......"}`)
	})
}

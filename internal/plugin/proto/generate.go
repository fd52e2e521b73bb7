package pluginpb

// The generated code is committed so builds and CI never need protoc. To
// regenerate after editing plugin.proto (protoc 3.21+, protoc-gen-go v1.36.12,
// protoc-gen-go-grpc v1.6.0 on PATH):
//
//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative plugin.proto

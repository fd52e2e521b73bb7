module github.com/goconnect/goconnect

go 1.26.8

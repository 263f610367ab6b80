module example.com/osvfixture

go 1.19

require (
	github.com/gogo/protobuf v1.3.1
	golang.org/x/image v0.18.0
	golang.org/x/net v0.3.0
	google.golang.org/grpc v1.58.3
)

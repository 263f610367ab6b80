module example.com/osvlegacy

go 1.16

require golang.org/x/image v0.17.0

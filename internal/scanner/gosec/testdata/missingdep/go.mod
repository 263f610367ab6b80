module example.com/missingdep

go 1.22

require github.com/conviso-example/notfetched v1.2.3

module example.com/fakescanner

go 1.26

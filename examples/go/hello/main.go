package main

import "context"

type Event struct {
	Name string `json:"name"`
}

// Handle is named by the function's handler field: "Handle".
func Handle(ctx context.Context, event Event) (map[string]string, error) {
	if event.Name == "" {
		event.Name = "world"
	}
	return map[string]string{"message": "Hello, " + event.Name + "!"}, nil
}

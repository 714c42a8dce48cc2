// A plain program (its own main, no handler): the event on stdin, the result as JSON on stdout.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Text string `json:"text"`
	Top  int    `json:"top"`
}

type count struct {
	Word  string `json:"word"`
	Count int    `json:"count"`
}

func main() {
	var in event
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "bad event:", err)
		os.Exit(1)
	}
	if in.Top <= 0 {
		in.Top = 3
	}
	counts := map[string]int{}
	for _, word := range strings.FieldsFunc(strings.ToLower(in.Text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '\'')
	}) {
		counts[word]++
	}
	words := make([]count, 0, len(counts))
	for word, n := range counts {
		words = append(words, count{word, n})
	}
	sort.Slice(words, func(i, j int) bool {
		return words[i].Count > words[j].Count || words[i].Count == words[j].Count && words[i].Word < words[j].Word
	})
	if len(words) > in.Top {
		words = words[:in.Top]
	}
	fmt.Fprintf(os.Stderr, "%d distinct words\n", len(counts))
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"distinct": len(counts), "top": words})
}

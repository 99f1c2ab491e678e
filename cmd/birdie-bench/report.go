package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// report is everything one run found: the table's rows and the context
// needed to compare two runs (machine, store, sizes).
type report struct {
	Rows          []opResult
	Import        *importResult // nil if --import=false
	Users         int
	Clients       int
	Duration      time.Duration
	Warmup        time.Duration
	Store         string
	Seed          time.Duration
	SeedBatch     int
	BareBodyBytes int
	PeakRSSMB     float64 // the server's VmHWM
	RSSMB         float64 // the server's VmRSS at the end
	GoVersion     string
	Platform      string
	GOMAXPROCS    int
	NumCPU        int
	Started       time.Time
}

func (r *report) fillEnv() {
	r.GoVersion = runtime.Version()
	r.Platform = runtime.GOOS + "/" + runtime.GOARCH
	r.GOMAXPROCS = runtime.GOMAXPROCS(0)
	r.NumCPU = runtime.NumCPU()
	r.Started = time.Now()
}

// Failed reports whether any request failed or the import was not perfect.
func (r *report) Failed() bool {
	for _, row := range r.Rows {
		if row.Errors > 0 {
			return true
		}
	}
	return r.Import != nil && len(r.Import.Problems) > 0
}

// importRowName is the import's row in the table.
const importRowName = "full import (startIndex, count=100, 1 client)"

// writeTable prints the results as one aligned Markdown table followed by
// the context lines, ready to paste into a pull request.
func (r *report) writeTable(w io.Writer) {
	rows := [][]string{{"operation", "req/s", "× bare", "× in-process bare", "p50", "p99", "errors", "server CPU/req"}}
	for _, row := range r.Rows {
		inproc := "–"
		if row.InprocRatio > 0 {
			inproc = fmt.Sprintf("%.2f", row.InprocRatio)
		}
		rows = append(rows, []string{row.Name, fmt.Sprintf("%.0f", row.RPS), fmt.Sprintf("%.2f", row.Ratio), inproc, fmtDur(row.P50), fmtDur(row.P99), fmt.Sprint(row.Errors), fmtCPU(row.ServerCPU)})
	}
	if imp := r.Import; imp != nil {
		rows = append(rows, []string{importRowName + " [pages/s]", fmt.Sprintf("%.1f", float64(imp.Pages)/imp.Elapsed.Seconds()), "–", "–", fmtDur(imp.P50), fmtDur(imp.P99), fmt.Sprint(len(imp.Problems)), "–"})
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i == 0 {
				b.WriteString(" " + c + pad + " |")
			} else {
				b.WriteString(" " + pad + c + " |")
			}
		}
		fmt.Fprintln(w, b.String())
	}
	fmt.Fprintln(w)
	line(rows[0])
	sep := make([]string, len(widths))
	for i, n := range widths {
		sep[i] = strings.Repeat("-", n)
		if i > 0 {
			sep[i] = sep[i][1:] + ":"
		}
	}
	line(sep)
	for _, row := range rows[1:] {
		line(row)
	}
	fmt.Fprintln(w)

	if imp := r.Import; imp != nil {
		verdict := "every user exactly once"
		if len(imp.Problems) > 0 {
			verdict = "PROBLEMS: " + strings.Join(imp.Problems, "; ")
		}
		fmt.Fprintf(w, "- import: %d of %d users in %d pages, %.2f s (%.1f pages/s; bench-side JSON decoding %.2f s); %s\n",
			imp.Seen, imp.Users, imp.Pages, imp.Elapsed.Seconds(), float64(imp.Pages)/imp.Elapsed.Seconds(), imp.Decode.Seconds(), verdict)
		if imp.TimedOut && imp.Seen > 0 {
			fmt.Fprintf(w, "- import timed out: at the rate so far all %d users would take ≥ %.0f s (offset paging slows down as it goes)\n",
				imp.Users, imp.Elapsed.Seconds()*float64(imp.Users)/float64(imp.Seen))
		}
	}
	fmt.Fprintf(w, "- seeding: %d users in %.2f s (%.0f users/s; BulkCreateUsers, %d per transaction)\n",
		r.Users, r.Seed.Seconds(), float64(r.Users)/r.Seed.Seconds(), r.SeedBatch)
	fmt.Fprintf(w, "- users: %d, clients: %d, duration: %s per operation (+%s warm-up), store: %s\n",
		r.Users, r.Clients, r.Duration, r.Warmup, r.Store)
	fmt.Fprintf(w, "- server peak RSS (VmHWM): %.1f MB, RSS at end: %.1f MB\n", r.PeakRSSMB, r.RSSMB)
	fmt.Fprintf(w, "- %s %s, GOMAXPROCS %d, %d CPUs; bench client and server share the machine; bare body %d bytes; × bare: to the bare server in its own process, as birdie runs\n",
		r.GoVersion, r.Platform, r.GOMAXPROCS, r.NumCPU, r.BareBodyBytes)
	for _, row := range r.Rows {
		for _, s := range row.Samples {
			fmt.Fprintf(w, "- error in %s: %s\n", row.Name, s)
		}
	}
}

// fmtDur prints a latency with about three significant digits.
func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d == 0:
		return "–"
	case ms < 10:
		return fmt.Sprintf("%.2fms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1fms", ms)
	case ms < 10000:
		return fmt.Sprintf("%.0fms", ms)
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// jsonReport is the --json file: flat numbers in fixed units, so that two
// runs can be compared with jq or a spreadsheet.
type jsonReport struct {
	Started       time.Time   `json:"started"`
	Store         string      `json:"store"`
	Users         int         `json:"users"`
	Clients       int         `json:"clients"`
	DurationS     float64     `json:"duration_s"`
	WarmupS       float64     `json:"warmup_s"`
	SeedS         float64     `json:"seed_s"`
	SeedBatch     int         `json:"seed_batch"`
	PeakRSSMB     float64     `json:"server_peak_rss_mb"`
	RSSMB         float64     `json:"server_rss_mb"`
	GoVersion     string      `json:"go_version"`
	Platform      string      `json:"platform"`
	GOMAXPROCS    int         `json:"gomaxprocs"`
	NumCPU        int         `json:"num_cpu"`
	BareBodyBytes int         `json:"bare_body_bytes"`
	Operations    []jsonOp    `json:"operations"`
	Import        *jsonImport `json:"import,omitempty"`
}

type jsonOp struct {
	Name     string  `json:"name"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	RPS      float64 `json:"rps"`
	Ratio    float64 `json:"ratio_to_bare"`
	// InprocRatio is the ratio to the bare server run in the bench's
	// own process (0 for the rows before it).
	InprocRatio float64 `json:"ratio_to_inprocess_bare,omitempty"`
	P50MS       float64 `json:"p50_ms"`
	P99MS       float64 `json:"p99_ms"`
	MaxMS       float64 `json:"max_ms"`
	// ServerCPUUS is the server's CPU time per request, in µs (0: not
	// measured, as for the baseline).
	ServerCPUUS float64  `json:"server_cpu_us_per_request"`
	Samples     []string `json:"error_samples,omitempty"`
}

type jsonImport struct {
	Users    int      `json:"users"`
	Seen     int      `json:"seen"`
	Pages    int      `json:"pages"`
	Seconds  float64  `json:"seconds"`
	PagesPS  float64  `json:"pages_per_s"`
	DecodeS  float64  `json:"bench_decode_s"`
	P50MS    float64  `json:"page_p50_ms"`
	P99MS    float64  `json:"page_p99_ms"`
	TimedOut bool     `json:"timed_out"`
	Problems []string `json:"problems,omitempty"`
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *report) writeJSON(path string) error {
	out := jsonReport{
		Started: r.Started, Store: r.Store, Users: r.Users, Clients: r.Clients,
		DurationS: r.Duration.Seconds(), WarmupS: r.Warmup.Seconds(), SeedS: r.Seed.Seconds(), SeedBatch: r.SeedBatch,
		PeakRSSMB: r.PeakRSSMB, RSSMB: r.RSSMB, GoVersion: r.GoVersion, Platform: r.Platform,
		GOMAXPROCS: r.GOMAXPROCS, NumCPU: r.NumCPU, BareBodyBytes: r.BareBodyBytes,
	}
	for _, row := range r.Rows {
		out.Operations = append(out.Operations, jsonOp{
			Name: row.Name, Requests: row.Requests, Errors: row.Errors, RPS: row.RPS, Ratio: row.Ratio, InprocRatio: row.InprocRatio,
			P50MS: msOf(row.P50), P99MS: msOf(row.P99), MaxMS: msOf(row.Max), Samples: row.Samples,
			ServerCPUUS: float64(row.ServerCPU) / float64(time.Microsecond),
		})
	}
	if imp := r.Import; imp != nil {
		out.Import = &jsonImport{
			Users: imp.Users, Seen: imp.Seen, Pages: imp.Pages, Seconds: imp.Elapsed.Seconds(),
			PagesPS: float64(imp.Pages) / imp.Elapsed.Seconds(), DecodeS: imp.Decode.Seconds(),
			P50MS: msOf(imp.P50), P99MS: msOf(imp.P99), TimedOut: imp.TimedOut, Problems: imp.Problems,
		}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// fmtCPU formats a server CPU time per request, "–" when not measured.
func fmtCPU(d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
}

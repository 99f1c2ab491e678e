// Package metrics exposes Birdie's operational metrics in the Prometheus
// format, through github.com/prometheus/client_golang: HTTP requests by
// route and status, SCIM errors by scimType, store latency by operation,
// provisioning log entries dropped, and database pool statistics. The server reports to it through the
// small server.Observer interface, so no other package imports Prometheus.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds Birdie's collectors in their own registry.
type Metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	scimErrors    *prometheus.CounterVec
	storeDuration *prometheus.HistogramVec
	storeErrors   *prometheus.CounterVec
	logDropped    *prometheus.CounterVec
}

// latencyBuckets span a fast index lookup (< 1 ms) to Okta's 60 s timeout.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// New creates the collectors, with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "birdie_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "birdie_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern and method.",
			Buckets: latencyBuckets,
		}, []string{"route", "method"}),
		scimErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "birdie_scim_errors_total",
			Help: "SCIM error responses, by status code and scimType (empty when RFC 7644 names none).",
		}, []string{"status", "scim_type"}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "birdie_store_operation_duration_seconds",
			Help:    "Time spent in the store, by operation.",
			Buckets: latencyBuckets,
		}, []string{"operation"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "birdie_store_errors_total",
			Help: "Store operations that failed with an internal error (not not-found or conflict), by operation.",
		}, []string{"operation"}),
		logDropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "birdie_provisioning_log_dropped_total",
			Help: "Provisioning log entries not written, by reason: queue_full (the writer fell behind), write_failed (the store refused a batch), closed (recorded after shutdown).",
		}, []string{"reason"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.scimErrors, m.storeDuration, m.storeErrors, m.logDropped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest records one served request (server.Observer).
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// ObserveSCIMError records one SCIM error response (server.Observer).
func (m *Metrics) ObserveSCIMError(status int, scimType string) {
	m.scimErrors.WithLabelValues(strconv.Itoa(status), scimType).Inc()
}

// ObserveLogDropped counts provisioning log entries that were not written
// (server.Observer).
func (m *Metrics) ObserveLogDropped(reason string, entries int) {
	m.logDropped.WithLabelValues(reason).Add(float64(entries))
}

// WatchDB exports a database pool's statistics (open, in-use and idle
// connections, waits) under the given name, e.g. "writer" and "reader".
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/internal/builtin"
	"github.com/goconnect/goconnect/internal/configtransform"
	"github.com/goconnect/goconnect/internal/herder/standalone"
	"github.com/goconnect/goconnect/internal/kafka"
	"github.com/goconnect/goconnect/internal/logging"
	"github.com/goconnect/goconnect/internal/plugin"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/rest"
	"github.com/goconnect/goconnect/internal/storage"
	"github.com/goconnect/goconnect/internal/worker"
	"github.com/goconnect/goconnect/internal/workerconfig"
)

// Options configure a worker process.
type Options struct {
	// WorkerProps are the worker properties (worker.properties).
	WorkerProps map[string]string
	// ConnectorFiles are the connector files given on the command line.
	ConnectorFiles []string
	// LogOutput receives the logs (stderr in the binary).
	LogOutput io.Writer
	// LogLevel is the root logger level (default INFO).
	LogLevel string
	// Registry overrides the built-in plugins (tests).
	Registry *registry.Registry
}

// Standalone is a running standalone worker.
type Standalone struct {
	Loggers *logging.Registry
	Config  *workerconfig.Config
	Herder  *standalone.Herder
	// URL is the advertised REST URL; WorkerID its host:port.
	URL      *url.URL
	WorkerID string

	log       *slog.Logger
	kcl       *kgo.Client
	worker    *worker.Worker
	server    *rest.Server
	serveDone chan error
	// transformer holds the config providers; closed last.
	transformer *configtransform.Transformer
	// plugins owns the processes of external plugins; closed after the worker.
	plugins *plugin.Host
}

// Version returns goconnect's version and VCS commit from the build info.
func Version() (version, commit string) {
	version, commit = "unknown", "unknown"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version, commit
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		version = v
	} else {
		version = "dev"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			commit = s.Value
			if len(commit) > 16 {
				commit = commit[:16]
			}
		}
	}
	return version, commit
}

// lateHandler lets the REST listener bind before the herder exists: Java binds the
// REST port first because the worker id is the advertised host:port, and the port
// of "http://:0" is only known once bound.
type lateHandler struct{ h atomic.Pointer[http.Handler] }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := l.h.Load()
	if h == nil {
		http.Error(w, `{"error_code":503,"message":"Worker is still starting up."}`, http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

// StartStandalone starts a standalone worker: REST is answering when it returns,
// and the connectors of opts.ConnectorFiles exist. ctx bounds start-up (the
// Kafka cluster id lookup and connector creation). On error everything started
// is stopped again.
func StartStandalone(ctx context.Context, opts Options) (_ *Standalone, err error) {
	if opts.LogOutput == nil {
		opts.LogOutput = io.Discard
	}
	loggers, err := logging.New(opts.LogOutput, logging.Options{Level: opts.LogLevel})
	if err != nil {
		return nil, err
	}
	s := &Standalone{Loggers: loggers, log: loggers.Logger("org.apache.kafka.connect.cli.ConnectStandalone")}
	defer func() {
		if err != nil {
			s.close(context.Background())
		}
	}()

	// Config providers resolve ${provider:path:key} references in the worker
	// properties first (as Java does), and are kept for connector configs.
	providers, err := configtransform.FromWorker(ctx, opts.WorkerProps, configtransform.Options{
		Logger: loggers.Logger("org.apache.kafka.connect.runtime.WorkerConfigTransformer")})
	if err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}
	s.transformer = providers.Transformer
	if s.Config, err = workerconfig.Parse(workerconfig.Standalone, providers.Props); err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}
	cfg := s.Config
	reg := opts.Registry
	if reg == nil {
		// External connectors on plugin.path run as child processes; discovery reads
		// their manifests only and never fails start-up (bad plugins are logged).
		s.plugins = plugin.Discover(cfg.Values.List(workerconfig.PluginPath),
			loggers.Logger("org.apache.kafka.connect.runtime.isolation.PluginScanner"))
		reg = registry.New(s.plugins.Rows(builtin.All()))
	}

	// The Kafka cluster id is looked up first; failing that aborts start-up, as in Java.
	kopts, err := kafka.Opts(cfg.Props, kafka.Admin, loggers.Logger("org.apache.kafka.clients.admin.KafkaAdminClient"))
	if err != nil {
		return nil, fmt.Errorf("kafka admin client: %w", err)
	}
	if s.kcl, err = kgo.NewClient(kopts...); err != nil {
		return nil, fmt.Errorf("kafka admin client: %w", err)
	}
	adm := kadm.NewClient(s.kcl)
	md, err := adm.BrokerMetadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("look up kafka cluster id: %w", err)
	}
	s.log.Info("Kafka cluster ID", "cluster_id", md.Cluster)

	offsets, err := storage.OpenFileOffsetStore(cfg.OffsetsFile())
	if err != nil {
		return nil, err
	}

	var late lateHandler
	// TODO(integration): rest.NewServer serves the first http listener only; https
	// and separate admin.listeners are not wired yet.
	if s.server, err = rest.NewServer(strings.Join(cfg.Values.List(workerconfig.Listeners), ","), &late); err != nil {
		return nil, err
	}
	if err = s.server.Listen(); err != nil {
		return nil, fmt.Errorf("rest listen: %w", err)
	}
	s.serveDone = make(chan error, 1)
	go func() { s.serveDone <- s.server.Serve() }()
	boundPort := 0
	if a, ok := s.server.Addr().(*net.TCPAddr); ok {
		boundPort = a.Port
	}
	s.URL = cfg.AdvertisedURL(boundPort)
	s.WorkerID = workerconfig.WorkerID(s.URL)

	version, commit := Version()
	s.Herder, err = standalone.New(standalone.Config{
		WorkerID:           s.WorkerID,
		Registry:           reg,
		Offsets:            offsets,
		Admin:              adm,
		ConfigFile:         cfg.ConfigsFile(),
		TopicTracking:      cfg.Values.Bool(workerconfig.TopicTrackingEnable),
		TopicTrackingReset: cfg.Values.Bool(workerconfig.TopicTrackingAllowReset),
		ClusterID:          md.Cluster,
		Commit:             commit,
		Version:            version,
		WorkerProps:        cfg.Props,
		Transformer:        s.transformer,
		MaskPasswords:      cfg.Values.Bool(workerconfig.RestMaskPasswords),
		Logger:             loggers.Logger("org.apache.kafka.connect.runtime.standalone.StandaloneHerder"),
	})
	if err != nil {
		return nil, err
	}
	s.worker, err = worker.New(worker.Config{
		WorkerID:            s.WorkerID,
		Props:               cfg.Props,
		OffsetFlushInterval: cfg.OffsetFlushInterval(),
		OffsetFlushTimeout:  cfg.OffsetFlushTimeout(),
		GracefulShutdown:    cfg.GracefulShutdown(),
	}, reg, offsets, s.Herder.StatusListener(), loggers.Logger("org.apache.kafka.connect.runtime.Worker"))
	if err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	s.Herder.Start(s.worker)

	var restLoggers rest.Loggers = loggers
	if ls, set := cfg.AdminListeners(); set && len(ls) == 0 {
		restLoggers = nil // admin.listeners="" disables /admin/loggers
	}
	var h http.Handler = rest.NewHandler(rest.Options{
		Herder:                    s.Herder,
		Registry:                  reg,
		Loggers:                   restLoggers,
		DisableTopicTracking:      !cfg.Values.Bool(workerconfig.TopicTrackingEnable),
		DisableTopicTrackingReset: !cfg.Values.Bool(workerconfig.TopicTrackingAllowReset),
		Logger:                    loggers.Logger("org.apache.kafka.connect.runtime.rest.RestServer"),
	})
	late.h.Store(&h)
	s.log.Info("REST server listening", "url", s.URL.String(), "worker_id", s.WorkerID)

	// With the config file, connectors from the command line may already exist (from
	// the previous run): the file on the command line wins for the config, the
	// stored target state is kept. Without it, a duplicate is an error, as in Java.
	allowReplace := cfg.ConfigsFile() != ""
	for _, path := range opts.ConnectorFiles {
		cf, err := ParseConnectorFile(path)
		if err != nil {
			return nil, fmt.Errorf("connector file %s: %w", path, err)
		}
		info, _, err := s.Herder.PutConnectorConfig(ctx, cf.Name, cf.Config, allowReplace, cf.Initial)
		if err != nil {
			return nil, fmt.Errorf("create connector from %s: %w", path, err)
		}
		s.log.Info("Created connector", "connector", info.Name)
	}
	return s, nil
}

// Close stops REST, then the herder (tasks stop and commit their offsets), then the
// worker and the Kafka client. ctx bounds the REST shutdown.
func (s *Standalone) Close(ctx context.Context) error {
	return s.close(ctx)
}

func (s *Standalone) close(ctx context.Context) error {
	var errs []error
	if s.server != nil {
		errs = append(errs, s.server.Shutdown(ctx))
		if s.serveDone != nil {
			errs = append(errs, <-s.serveDone)
		}
		s.server = nil
	}
	if s.Herder != nil && s.worker != nil {
		s.Herder.Stop()
	}
	if s.worker != nil {
		s.worker.Close()
		s.worker = nil
	}
	if s.kcl != nil {
		s.kcl.Close()
		s.kcl = nil
	}
	if s.transformer != nil {
		errs = append(errs, s.transformer.Close())
		s.transformer = nil
	}
	if s.plugins != nil {
		errs = append(errs, s.plugins.Close())
		s.plugins = nil
	}
	return errors.Join(errs...)
}

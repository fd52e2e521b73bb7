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
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/internal/builtin"
	"github.com/goconnect/goconnect/internal/configtransform"
	"github.com/goconnect/goconnect/internal/herder/distributed"
	"github.com/goconnect/goconnect/internal/herder/distributed/assign"
	"github.com/goconnect/goconnect/internal/herder/distributed/protocol"
	"github.com/goconnect/goconnect/internal/kafka"
	"github.com/goconnect/goconnect/internal/logging"
	"github.com/goconnect/goconnect/internal/plugin"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/rest"
	"github.com/goconnect/goconnect/internal/storage/kafkastore"
	"github.com/goconnect/goconnect/internal/worker"
	"github.com/goconnect/goconnect/internal/workerconfig"
)

// Distributed is a running distributed worker.
type Distributed struct {
	Loggers *logging.Registry
	Config  *workerconfig.Config
	Herder  *distributed.Herder
	// URL is the advertised REST URL; WorkerID its host:port.
	URL      *url.URL
	WorkerID string

	log         *slog.Logger
	kcl         *kgo.Client
	worker      *worker.Worker
	server      *rest.Server
	serveDone   chan error
	configs     *kafkastore.ConfigStore
	status      *kafkastore.StatusStore
	offsets     *kafkastore.OffsetStore
	started     bool
	transformer *configtransform.Transformer
	// plugins owns the processes of external plugins; closed after the worker.
	plugins *plugin.Host
}

// StartDistributed starts a distributed worker (`goconnect distributed
// worker.properties`): REST is bound first (the worker id is the advertised
// host:port), the internal topics are created or checked and read, and the herder
// joins the group. It returns once the herder runs; joining completes in the
// background. ctx bounds start-up. On error everything started is stopped again.
func StartDistributed(ctx context.Context, opts Options) (_ *Distributed, err error) {
	if opts.LogOutput == nil {
		opts.LogOutput = io.Discard
	}
	loggers, err := logging.New(opts.LogOutput, logging.Options{Level: opts.LogLevel})
	if err != nil {
		return nil, err
	}
	d := &Distributed{Loggers: loggers, log: loggers.Logger("org.apache.kafka.connect.cli.ConnectDistributed")}
	defer func() {
		if err != nil {
			d.close(context.Background())
		}
	}()
	providers, err := configtransform.FromWorker(ctx, opts.WorkerProps, configtransform.Options{
		Logger: loggers.Logger("org.apache.kafka.connect.runtime.WorkerConfigTransformer")})
	if err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}
	d.transformer = providers.Transformer
	if d.Config, err = workerconfig.Parse(workerconfig.Distributed, providers.Props); err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}
	cfg := d.Config
	vals := cfg.Values
	reg := opts.Registry
	if reg == nil {
		// External connectors on plugin.path, as in standalone mode.
		d.plugins = plugin.Discover(vals.List(workerconfig.PluginPath),
			loggers.Logger("org.apache.kafka.connect.runtime.isolation.PluginScanner"))
		reg = registry.New(d.plugins.Rows(builtin.All()))
	}
	proto, err := protocol.ParseCompatibility(strings.ToLower(vals.String(workerconfig.ConnectProtocol)))
	if err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}

	kopts, err := kafka.Opts(cfg.Props, kafka.Admin, loggers.Logger("org.apache.kafka.clients.admin.KafkaAdminClient"))
	if err != nil {
		return nil, fmt.Errorf("kafka admin client: %w", err)
	}
	if d.kcl, err = kgo.NewClient(kopts...); err != nil {
		return nil, fmt.Errorf("kafka admin client: %w", err)
	}
	adm := kadm.NewClient(d.kcl)
	md, err := adm.BrokerMetadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("look up kafka cluster id: %w", err)
	}
	d.log.Info("Kafka cluster ID", "cluster_id", md.Cluster)

	var late lateHandler
	if d.server, err = rest.NewServer(strings.Join(vals.List(workerconfig.Listeners), ","), &late); err != nil {
		return nil, err
	}
	if err = d.server.Listen(); err != nil {
		return nil, fmt.Errorf("rest listen: %w", err)
	}
	d.serveDone = make(chan error, 1)
	go func() { d.serveDone <- d.server.Serve() }()
	boundPort := 0
	if a, ok := d.server.Addr().(*net.TCPAddr); ok {
		boundPort = a.Port
	}
	d.URL = cfg.AdvertisedURL(boundPort)
	d.WorkerID = workerconfig.WorkerID(d.URL)

	// Java's scheduled.rebalance.max.delay.ms keeps its meaning when set; unset,
	// goconnect's default applies (docs/adr/0001-scheduled-rebalance-delay.md).
	maxDelay := assign.DefaultMaxDelay
	if _, set := cfg.Props[workerconfig.ScheduledRebalanceMaxDelayMs]; set {
		maxDelay = ms(vals.Int(workerconfig.ScheduledRebalanceMaxDelayMs))
	}
	keySize := 0
	if !vals.IsNull(workerconfig.InterWorkerKeySize) {
		keySize = int(vals.Int(workerconfig.InterWorkerKeySize))
	}
	groupID := vals.String(workerconfig.GroupID)
	version, commit := Version()
	d.Herder, err = distributed.New(distributed.Config{
		WorkerID:               d.WorkerID,
		URL:                    strings.TrimRight(d.URL.String(), "/"),
		GroupID:                groupID,
		Client:                 kopts,
		SessionTimeout:         ms(vals.Int(workerconfig.SessionTimeoutMs)),
		RebalanceTimeout:       ms(vals.Int(workerconfig.RebalanceTimeoutMs)),
		HeartbeatInterval:      ms(vals.Int(workerconfig.HeartbeatIntervalMs)),
		WorkerSyncTimeout:      ms(vals.Int(workerconfig.WorkerSyncTimeoutMs)),
		Protocol:               proto,
		MaxDelay:               maxDelay,
		KeyGenerationAlgorithm: vals.String(workerconfig.InterWorkerKeyGenerationAlg),
		KeySize:                keySize,
		KeyTTL:                 ms(vals.Int(workerconfig.InterWorkerKeyTTLMs)),
		SignatureAlgorithm:     vals.String(workerconfig.InterWorkerSignatureAlgorithm),
		VerificationAlgorithms: vals.List(workerconfig.InterWorkerVerificationAlgs),
		Registry:               reg,
		Admin:                  adm,
		Transformer:            d.transformer,
		WorkerProps:            cfg.Props,
		TopicTracking:          vals.Bool(workerconfig.TopicTrackingEnable),
		TopicTrackingReset:     vals.Bool(workerconfig.TopicTrackingAllowReset),
		ClusterID:              md.Cluster,
		Commit:                 commit,
		Version:                version,
		Logger:                 loggers.Logger("org.apache.kafka.connect.runtime.distributed.DistributedHerder"),
		Loggers:                loggers,
	})
	if err != nil {
		return nil, err
	}

	configSpec, offsetSpec, statusSpec, err := kafkastore.TopicSpecs(cfg.Props, d.log)
	if err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}
	storeCfg := func(spec kafkastore.TopicSpec, suffix, logger string) kafkastore.StoreConfig {
		return kafkastore.StoreConfig{Topic: spec, Client: kopts, ClientID: groupID + "-" + suffix, Admin: adm,
			Logger: loggers.Logger(logger)}
	}
	if d.configs, err = kafkastore.OpenConfigStore(ctx, storeCfg(configSpec, "configs",
		"org.apache.kafka.connect.storage.KafkaConfigBackingStore"), d.Herder.OnConfigEvent); err != nil {
		return nil, err
	}
	if d.offsets, err = kafkastore.OpenOffsetStore(ctx, storeCfg(offsetSpec, "offsets",
		"org.apache.kafka.connect.storage.KafkaOffsetBackingStore")); err != nil {
		return nil, err
	}
	if d.status, err = kafkastore.OpenStatusStore(ctx, storeCfg(statusSpec, "statuses",
		"org.apache.kafka.connect.storage.KafkaStatusBackingStore")); err != nil {
		return nil, err
	}

	d.worker, err = worker.New(worker.Config{
		WorkerID:            d.WorkerID,
		Props:               cfg.Props,
		OffsetFlushInterval: cfg.OffsetFlushInterval(),
		OffsetFlushTimeout:  cfg.OffsetFlushTimeout(),
		GracefulShutdown:    cfg.GracefulShutdown(),
	}, reg, d.offsets, d.Herder.StatusListener(), loggers.Logger("org.apache.kafka.connect.runtime.Worker"))
	if err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	d.Herder.Start(d.worker, d.configs, d.status, d.offsets)
	d.started = true

	var restLoggers rest.Loggers = loggers
	if ls, set := cfg.AdminListeners(); set && len(ls) == 0 {
		restLoggers = nil
	}
	var h http.Handler = rest.NewHandler(rest.Options{
		Herder:                    d.Herder,
		Registry:                  reg,
		Loggers:                   restLoggers,
		DisableTopicTracking:      !vals.Bool(workerconfig.TopicTrackingEnable),
		DisableTopicTrackingReset: !vals.Bool(workerconfig.TopicTrackingAllowReset),
		Logger:                    loggers.Logger("org.apache.kafka.connect.runtime.rest.RestServer"),
	})
	late.h.Store(&h)
	d.log.Info("REST server listening", "url", d.URL.String(), "worker_id", d.WorkerID, "group_id", groupID)
	return d, nil
}

func ms(n int32) time.Duration { return time.Duration(n) * time.Millisecond }

// Close stops REST, then the herder (tasks stop and commit, the worker leaves the
// group), then the worker, the stores and the clients. ctx bounds REST shutdown.
func (d *Distributed) Close(ctx context.Context) error { return d.close(ctx) }

func (d *Distributed) close(ctx context.Context) error {
	var errs []error
	if d.server != nil {
		errs = append(errs, d.server.Shutdown(ctx))
		if d.serveDone != nil {
			errs = append(errs, <-d.serveDone)
		}
		d.server = nil
	}
	if d.Herder != nil {
		d.Herder.Stop()
		d.Herder = nil
	}
	if d.worker != nil {
		d.worker.Close()
		d.worker = nil
	}
	for _, c := range []interface{ Close() }{d.status, d.offsets, d.configs} {
		if c != nil && !isNilStore(c) {
			c.Close()
		}
	}
	d.status, d.offsets, d.configs = nil, nil, nil
	if d.kcl != nil {
		d.kcl.Close()
		d.kcl = nil
	}
	if d.transformer != nil {
		errs = append(errs, d.transformer.Close())
		d.transformer = nil
	}
	if d.plugins != nil {
		errs = append(errs, d.plugins.Close())
		d.plugins = nil
	}
	return errors.Join(errs...)
}

func isNilStore(c interface{ Close() }) bool {
	switch s := c.(type) {
	case *kafkastore.StatusStore:
		return s == nil
	case *kafkastore.OffsetStore:
		return s == nil
	case *kafkastore.ConfigStore:
		return s == nil
	}
	return false
}

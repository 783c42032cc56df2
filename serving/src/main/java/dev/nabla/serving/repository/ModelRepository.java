package dev.nabla.serving.repository;

import dev.nabla.serving.batching.BatchingOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The models in a directory, {@code DIR/<name>/<version>/model.nabla}, each serving its newest version that loads.
 *
 * <p>A scan (at {@link #start}, then every poll interval, or on {@link #scan}) loads what changed on the scanning
 * thread, never on a request's: a newer version, or the served version's file changed in place, is loaded, warmed up
 * and swapped in; requests already running finish on the version they leased, which is unloaded after the last of
 * them. A version that fails to load is logged, reported in {@link #models()} and to the listener, and not tried again
 * until its file changes; the version serving before keeps serving (or, if none was, the newest older one that
 * loads). A model whose served version directory is deleted falls back to the newest remaining version that loads;
 * a model whose directory is deleted is unloaded. A repository that cannot be listed changes nothing.
 */
public final class ModelRepository implements AutoCloseable {
    /** The file a version directory holds: {@code DIR/<name>/<version>/model.nabla}. */
    public static final String MODEL_FILE = ModelFiles.MODEL_FILE;

    private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);
    /** Longest model name echoed in an error; names come from request paths. */
    private static final int SHOWN_NAME = 100;

    private final Path root;
    private final ModelLoader loader;
    private final RepositoryListener listener;
    private final ConcurrentMap<String, Entry> models = new ConcurrentHashMap<>();
    private ScheduledExecutorService poller;
    private boolean closed;

    /** One model: what serves, and what the scans learned about its versions. */
    private static final class Entry {
        final String name;
        final AtomicReference<ServedModel> serving = new AtomicReference<>();
        /** Versions whose file failed to load, with the file as it was then. Scanning thread only. */
        final Map<Long, Failure> failures = new HashMap<>();
        volatile List<VersionStatus> versions = List.of();

        Entry(String name) {
            this.name = name;
        }
    }

    private record Failure(ModelFiles.Fingerprint fingerprint, String reason) {
    }

    /**
     * Whether a directory of this name is a model the repository serves: letters, digits, {@code _ . -}, not starting
     * with a dot (hidden directories are where writers stage new versions).
     */
    public static boolean isModelName(String name) {
        return ModelFiles.NAME.matcher(name).matches();
    }

    /** Whether a directory of this name in a model's directory is a version: a positive whole number. */
    public static boolean isVersionName(String name) {
        return ModelFiles.VERSION.matcher(name).matches();
    }

    public ModelRepository(Path root, BatchingOptions batching, RepositoryListener listener) {
        this.root = root;
        this.listener = listener;
        this.loader = new ModelLoader(batching, listener);
    }

    public Path root() {
        return root;
    }

    /** Scans once now, then every {@code pollInterval} on a thread of its own (zero: never again). */
    public synchronized void start(Duration pollInterval) {
        if (poller != null || closed) {
            throw new IllegalStateException("the repository " + root + " is already started or closed");
        }
        scan();
        poller = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("nabla-repository-poll").daemon().factory());
        if (!pollInterval.isZero()) {
            long ms = Math.max(1, pollInterval.toMillis());
            poller.scheduleWithFixedDelay(this::scanQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Brings what serves up to date with the directory; see the class documentation. */
    public synchronized void scan() {
        if (closed) {
            return;
        }
        Optional<Map<String, List<ModelFiles.VersionDir>>> found = ModelFiles.scan(root);
        if (found.isEmpty()) {
            return;
        }
        for (var model : found.get().entrySet()) {
            update(models.computeIfAbsent(model.getKey(), Entry::new), model.getValue());
        }
        for (Entry gone : List.copyOf(models.values())) {
            if (!found.get().containsKey(gone.name)) {
                log.info("model {}: its directory is gone; unloading it", gone.name);
                models.remove(gone.name);
                retire(gone.serving.getAndSet(null));
            }
        }
    }

    private void scanQuietly() {
        try {
            scan();
        } catch (Throwable t) {
            log.error("scanning the model repository {} failed", root, t);
        }
    }

    private void update(Entry e, List<ModelFiles.VersionDir> dirs) {
        ServedModel current = e.serving.get();
        e.failures.keySet().removeIf(v -> dirs.stream().noneMatch(d -> d.version() == v));
        boolean currentPresent = current != null && dirs.stream().anyMatch(d -> d.version() == current.version());
        for (ModelFiles.VersionDir dir : dirs) {
            if (currentPresent && dir.version() < current.version()) {
                break; // nothing newer loads: the served version stays
            }
            if (current != null && dir.version() == current.version()
                    && dir.fingerprint().equals(current.fingerprint())) {
                break; // the served version, unchanged
            }
            Failure failed = e.failures.get(dir.version());
            if (failed != null && failed.fingerprint().equals(dir.fingerprint())) {
                continue; // failed before and not changed since
            }
            if (tryLoad(e, dir)) {
                break;
            }
        }
        if (current != null && !currentPresent && e.serving.get() == current) {
            log.warn("model {}: version {} was deleted and no other version loads; unloading it", e.name,
                    current.version());
            retire(e.serving.getAndSet(null));
        }
        e.versions = statuses(e, dirs);
    }

    private boolean tryLoad(Entry e, ModelFiles.VersionDir dir) {
        long started = System.nanoTime();
        ServedModel next;
        try {
            next = loader.load(e.name, dir);
        } catch (ModelLoadException failure) {
            e.failures.put(dir.version(), new Failure(dir.fingerprint(), failure.getMessage()));
            ServedModel serving = e.serving.get();
            log.error("model {}: version {} failed to load{}: {}", e.name, dir.version(),
                    serving == null ? "" : "; version " + serving.version() + " keeps serving", failure.getMessage());
            listener.loadFailed(e.name, dir.version());
            return false;
        }
        e.failures.remove(dir.version());
        ServedModel previous = e.serving.getAndSet(next);
        listener.loaded(e.name, dir.version());
        log.info("model {}: version {} serves{} (loaded in {} ms)", e.name, dir.version(),
                previous == null ? "" : ", replacing version " + previous.version(),
                (System.nanoTime() - started) / 1_000_000);
        retire(previous);
        return true;
    }

    /** Gives back the repository's reference: the version unloads after its last request. */
    private static void retire(ServedModel model) {
        if (model != null) {
            model.release();
        }
    }

    private static List<VersionStatus> statuses(Entry e, List<ModelFiles.VersionDir> dirs) {
        ServedModel serving = e.serving.get();
        List<VersionStatus> out = new ArrayList<>();
        for (ModelFiles.VersionDir dir : dirs) {
            Failure failed = e.failures.get(dir.version());
            if (serving != null && dir.version() == serving.version() && failed == null) {
                out.add(new VersionStatus(dir.version(), VersionStatus.State.READY, null));
            } else if (failed != null) {
                out.add(new VersionStatus(dir.version(), VersionStatus.State.FAILED, failed.reason()));
            } else {
                out.add(new VersionStatus(dir.version(), VersionStatus.State.UNAVAILABLE, null));
            }
        }
        if (serving != null && out.stream().noneMatch(s -> s.state() == VersionStatus.State.READY)) {
            // its file changed in place and the change failed to load: the version still serves from memory
            out.addFirst(new VersionStatus(serving.version(), VersionStatus.State.READY, null));
        }
        return out;
    }

    /**
     * A hold on the serving version of {@code name} (or on {@code version}, which must be the one serving); close it
     * when the request has answered.
     *
     * @throws ModelNotFoundException    if there is no such model, or {@code version} is not the one serving
     * @throws ModelUnavailableException if the model has no version serving
     */
    public ModelLease lease(String name, OptionalLong version) {
        Entry e = models.get(name);
        if (e == null) {
            throw new ModelNotFoundException("no model '" + shown(name) + "' in the repository" + known());
        }
        while (true) {
            ServedModel m = e.serving.get();
            if (m == null) {
                throw new ModelUnavailableException(unavailable(e));
            }
            if (version.isPresent() && version.getAsLong() != m.version()) {
                throw new ModelNotFoundException("model '" + name + "' does not serve version "
                        + version.getAsLong() + "; it serves version " + m.version());
            }
            if (m.tryAcquire()) {
                return new ModelLease(m);
            }
            Thread.onSpinWait(); // swapped out between the read and the acquire: read again
        }
    }

    /** Every model, sorted by name. */
    public List<ModelStatus> models() {
        return models.values().stream().map(ModelRepository::status)
                .sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    /** Whether the repository has a model called {@code name} (serving or not). */
    public boolean has(String name) {
        return models.containsKey(name);
    }

    /** The model called {@code name}, if the repository has it. */
    public Optional<ModelStatus> model(String name) {
        return Optional.ofNullable(models.get(name)).map(ModelRepository::status);
    }

    /** Why {@code name} does not serve, in words; for errors. */
    public String unavailableReason(String name) {
        Entry e = models.get(name);
        return e == null ? "no model '" + shown(name) + "' in the repository" : unavailable(e);
    }

    private static ModelStatus status(Entry e) {
        ServedModel m = e.serving.get();
        return new ModelStatus(e.name, m == null ? OptionalLong.empty() : OptionalLong.of(m.version()),
                m == null ? null : m.signature(), e.versions);
    }

    private String unavailable(Entry e) {
        List<VersionStatus> versions = e.versions;
        if (versions.isEmpty()) {
            return "model '" + e.name + "' has no version to serve (expected " + root.resolve(e.name)
                    .resolve("<version>").resolve(ModelFiles.MODEL_FILE) + ")";
        }
        StringBuilder sb = new StringBuilder("model '" + e.name + "' has no version that loads:");
        for (VersionStatus v : versions) {
            sb.append(" version ").append(v.version()).append(": ")
                    .append(v.reason() == null ? v.state().name().toLowerCase(java.util.Locale.ROOT) : v.reason())
                    .append(';');
        }
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    private String known() {
        List<String> names = models.keySet().stream().sorted().limit(20).toList();
        return names.isEmpty() ? " (it has none)" : " (it has " + String.join(", ", names)
                + (models.size() > names.size() ? ", ..." : "") + ")";
    }

    private static String shown(String name) {
        return name.length() <= SHOWN_NAME ? name : name.substring(0, SHOWN_NAME) + "...";
    }

    /** Stops polling and unloads every model; requests still running finish first, on their version. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (poller != null) {
            poller.shutdownNow();
        }
        for (Entry e : models.values()) {
            retire(e.serving.getAndSet(null));
        }
        models.clear();
    }
}

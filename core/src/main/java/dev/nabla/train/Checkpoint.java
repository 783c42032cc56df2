package dev.nabla.train;

import dev.nabla.DTypeException;
import dev.nabla.Generator;
import dev.nabla.Nabla;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.Json;
import dev.nabla.io.JsonInput;
import dev.nabla.io.SafeTensors;
import dev.nabla.nn.Module;
import dev.nabla.optim.LRScheduler;
import dev.nabla.optim.Optimizer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A full training checkpoint in one safetensors file: model tensors ({@code model.*}), optimizer
 * state ({@code optimizer.*}), and in the metadata the scheduler state, the global generator state,
 * the number of finished epochs, the data loader seed and (when written by {@link CheckpointEveryEpoch})
 * the history of those epochs. Written atomically; restoring checks the
 * whole file against the model and optimizer before changing either.
 */
public final class Checkpoint {
    static final String FORMAT = "nabla-checkpoint";
    static final String VERSION = "1";
    /** An integer as Long.toString writes it: no '+', no leading zeros, ASCII digits only. */
    private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]{0,18})");

    private final Path file;
    private final Map<String, Tensor> model;
    private final Map<String, Tensor> optimizer;
    private final Map<String, String> metadata;
    private final int epochsDone;
    private final long dataSeed;
    private final long rngState;
    private final Map<String, Double> schedulerState;
    private final History history;

    private Checkpoint(Path file, Map<String, Tensor> model, Map<String, Tensor> optimizer, Map<String, String> metadata) {
        this.file = file;
        this.model = model;
        this.optimizer = optimizer;
        this.metadata = metadata;
        // Parse every field now, so a corrupt value is refused before restore() changes anything.
        long epochs = parseLong(file, metadata, "epochs_done");
        if (epochs < 0 || epochs > Integer.MAX_VALUE) {
            throw new FileFormatException(file, "checkpoint metadata 'epochs_done' must be from 0 to "
                    + Integer.MAX_VALUE + ", found " + epochs);
        }
        this.epochsDone = (int) epochs;
        this.dataSeed = parseLong(file, metadata, "data_seed");
        this.rngState = parseLong(file, metadata, "rng_state");
        this.schedulerState = metadata.get("scheduler") == null ? null : parseScheduler(file, metadata.get("scheduler"));
        this.history = metadata.get("history") == null ? null : parseHistory(file, metadata.get("history"), epochsDone);
    }

    private static long parseLong(Path file, Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw new FileFormatException(file, "checkpoint metadata lacks '" + key + "'");
        }
        if (!DECIMAL.matcher(value).matches()) {
            throw new FileFormatException(file, "checkpoint metadata '" + key + "' is not a decimal integer: '"
                    + JsonInput.clip(value) + "'");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new FileFormatException(file, "checkpoint metadata '" + key + "' is not an integer: '" + value + "'");
        }
    }

    private static History parseHistory(Path file, String json, int epochsDone) {
        History h;
        try {
            h = History.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, "checkpoint history is invalid (" + e.getMessage() + ")");
        }
        if (h.epochs().size() != epochsDone) {
            throw new FileFormatException(file, "checkpoint history holds " + h.epochs().size()
                    + " epochs but 'epochs_done' is " + epochsDone);
        }
        return h;
    }

    private static Map<String, Double> parseScheduler(Path file, String json) {
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (Json.ParseException e) {
            throw new FileFormatException(file, "checkpoint scheduler state is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new FileFormatException(file, "checkpoint scheduler state must be a JSON object");
        }
        Map<String, Double> state = new LinkedHashMap<>();
        for (var e : map.entrySet()) {
            if (!(e.getValue() instanceof Number number)) {
                throw new FileFormatException(file, "checkpoint scheduler value '" + e.getKey() + "' is not a number");
            }
            // Scheduler state is doubles; an integer a double cannot hold exactly would load as another number.
            if (number instanceof Long whole && Math.abs(whole) > (1L << 53)) {
                throw new FileFormatException(file, "checkpoint scheduler value '" + e.getKey() + "' is " + whole
                        + ", beyond the integers a double holds exactly (2^53)");
            }
            state.put((String) e.getKey(), number.doubleValue());
        }
        return state;
    }

    /** Saves everything needed to continue training after {@code epochsDone} epochs. */
    public static void save(Path file, Module model, Optimizer optimizer, LRScheduler scheduler, int epochsDone,
                            long dataSeed, Map<String, String> extra) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put("model." + k, v));
        if (optimizer != null) {
            optimizer.stateDict().forEach((k, v) -> tensors.put("optimizer." + k, v));
        }
        Map<String, String> meta = new LinkedHashMap<>(extra);
        meta.put("format", FORMAT);
        meta.put("version", VERSION);
        meta.put("epochs_done", Integer.toString(epochsDone));
        meta.put("data_seed", Long.toString(dataSeed));
        Generator g = Nabla.generator();
        synchronized (g) {
            meta.put("rng_state", Long.toString(g.getState()));
        }
        if (scheduler != null) {
            meta.put("scheduler", Json.write(scheduler.stateDict()));
        }
        SafeTensors.write(file, tensors, meta);
    }

    /** Reads and validates a checkpoint file (format, version, required fields). */
    public static Checkpoint load(Path file) {
        SafeTensors.Content content = SafeTensors.read(file);
        Map<String, String> meta = content.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new FileFormatException(file, "not a Nabla checkpoint (metadata 'format' is " + meta.get("format") + ")");
        }
        if (!VERSION.equals(meta.get("version"))) {
            throw new FileFormatException(file, "checkpoint version " + meta.get("version") + " is not supported (expected "
                    + VERSION + ")");
        }
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> optim = new LinkedHashMap<>();
        content.tensors().forEach((k, v) -> {
            if (k.startsWith("model.")) {
                model.put(k.substring(6), v);
            } else if (k.startsWith("optimizer.")) {
                optim.put(k.substring(10), v);
            } else {
                throw new FileFormatException(file, "unexpected tensor '" + k + "' in a checkpoint");
            }
        });
        return new Checkpoint(file, model, optim, meta);
    }

    public int epochsDone() {
        return epochsDone;
    }

    public long dataSeed() {
        return dataSeed;
    }

    public Map<String, String> metadata() {
        return Map.copyOf(metadata);
    }

    /** The finished epochs' metrics, if the checkpoint holds them. */
    public Optional<History> history() {
        return Optional.ofNullable(history);
    }

    public Map<String, Tensor> modelState() {
        return Map.copyOf(model);
    }

    /** Resuming is exact: unlike {@link Module#loadStateDict}, no value is cast to the model's dtype on the way in. */
    private void checkDTypes(Module target) {
        for (var own : target.stateDict().entrySet()) {
            Tensor saved = model.get(own.getKey());
            if (saved.dtype() != own.getValue().dtype()) {
                throw new DTypeException("'model." + own.getKey() + "' is " + saved.dtype() + " but the model's is "
                        + own.getValue().dtype());
            }
        }
    }

    /**
     * Restores model, optimizer, scheduler and the global generator, exactly or not at all: the model's keys and
     * shapes, the scheduler state, and whether the checkpoint has optimizer and scheduler state where the training
     * does are checked, and the optimizer state is checked and built, before anything is replaced. A refusal is a
     * {@link FileFormatException} naming the file.
     */
    public void restore(Module target, Optimizer optim, LRScheduler scheduler) {
        try {
            target.checkStateDict(model, true);
            checkDTypes(target);
            if (optim != null && optimizer.isEmpty()) {
                throw new IllegalArgumentException("it holds no optimizer state, so training would restart the "
                        + optim.getClass().getSimpleName() + " state from zero");
            }
            if ((scheduler != null) != (schedulerState != null)) {
                throw new IllegalArgumentException(scheduler != null
                        ? "it holds no learning-rate scheduler state but the training has a "
                        + scheduler.getClass().getSimpleName() + "; the schedule would restart at step 0"
                        : "it holds learning-rate scheduler state but the training has no scheduler");
            }
            if (scheduler != null) {
                scheduler.checkStateDict(schedulerState);
            }
            if (optim != null) {
                optim.loadStateDict(optimizer);
            }
        } catch (IllegalArgumentException | ShapeException | DTypeException e) {
            throw new FileFormatException(file, "cannot resume from this checkpoint: " + e.getMessage(), e);
        }
        target.loadStateDict(model, true);
        if (scheduler != null) {
            scheduler.loadStateDict(schedulerState);
        }
        Generator g = Nabla.generator();
        synchronized (g) {
            g.setState(rngState);
        }
    }
}

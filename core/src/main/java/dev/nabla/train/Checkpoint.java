package dev.nabla.train;

import dev.nabla.Generator;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.Json;
import dev.nabla.io.SafeTensors;
import dev.nabla.nn.Module;
import dev.nabla.optim.LRScheduler;
import dev.nabla.optim.Optimizer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A full training checkpoint in one safetensors file: model tensors ({@code model.*}), optimizer
 * state ({@code optimizer.*}), and in the metadata the scheduler state, the global generator state,
 * the number of finished epochs and the data loader seed. Written atomically; restoring checks the
 * whole file against the model and optimizer before changing either.
 */
public final class Checkpoint {
    static final String FORMAT = "nabla-checkpoint";
    static final String VERSION = "1";

    private final Map<String, Tensor> model;
    private final Map<String, Tensor> optimizer;
    private final Map<String, String> metadata;

    private Checkpoint(Map<String, Tensor> model, Map<String, Tensor> optimizer, Map<String, String> metadata) {
        this.model = model;
        this.optimizer = optimizer;
        this.metadata = metadata;
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
        for (String key : new String[]{"epochs_done", "rng_state", "data_seed"}) {
            if (meta.get(key) == null) {
                throw new FileFormatException(file, "checkpoint metadata lacks '" + key + "'");
            }
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
        return new Checkpoint(model, optim, meta);
    }

    public int epochsDone() {
        return Integer.parseInt(metadata.get("epochs_done"));
    }

    public long dataSeed() {
        return Long.parseLong(metadata.get("data_seed"));
    }

    public Map<String, String> metadata() {
        return Map.copyOf(metadata);
    }

    public Map<String, Tensor> modelState() {
        return Map.copyOf(model);
    }

    /**
     * Restores model, optimizer, scheduler and the global generator. The model's keys and shapes are
     * checked first and the optimizer state is built before anything is replaced.
     */
    @SuppressWarnings("unchecked")
    public void restore(Module target, Optimizer optim, LRScheduler scheduler) {
        target.checkStateDict(model, true);
        if (optim != null) {
            optim.loadStateDict(optimizer);
        }
        target.loadStateDict(model, true);
        if (scheduler != null && metadata.get("scheduler") != null) {
            Map<String, Object> raw = (Map<String, Object>) Json.parse(metadata.get("scheduler"));
            Map<String, Double> state = new LinkedHashMap<>();
            raw.forEach((k, v) -> state.put(k, ((Number) v).doubleValue()));
            scheduler.loadStateDict(state);
        }
        Generator g = Nabla.generator();
        synchronized (g) {
            g.setState(Long.parseLong(metadata.get("rng_state")));
        }
    }
}

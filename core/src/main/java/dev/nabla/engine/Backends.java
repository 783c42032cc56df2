package dev.nabla.engine;

import dev.nabla.BackendInfo;
import dev.nabla.Device;
import dev.nabla.DeviceException;
import dev.nabla.Nabla;
import dev.nabla.spi.Backend;
import dev.nabla.spi.BackendProvider;
import dev.nabla.spi.Probe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/** Finds backend providers once, probes them, and creates one backend per device on demand. */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private record Found(BackendProvider provider, Probe probe) {
    }

    private static volatile List<Found> found;
    private static final Map<Device, Backend> INSTANCES = new ConcurrentHashMap<>();

    private Backends() {
    }

    private static List<Found> found() {
        List<Found> result = found;
        if (result == null) {
            synchronized (Backends.class) {
                result = found;
                if (result == null) {
                    result = discover();
                    found = result;
                }
            }
        }
        return result;
    }

    private static List<Found> discover() {
        List<Found> result = new ArrayList<>();
        var iterator = ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).iterator();
        while (true) {
            BackendProvider provider;
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                provider = iterator.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.warn("Skipping a backend provider that failed to load: {}", e.toString());
                continue;
            }
            Probe probe;
            try {
                probe = provider.probe();
            } catch (RuntimeException | LinkageError e) {
                probe = Probe.unavailable("probe failed: " + e);
            }
            if (probe.available()) {
                LOG.debug("Backend {} available: {}", provider.name(), probe.reason());
            } else {
                // DEBUG: a CPU-only machine need not hear about its missing GPU on every run; asking for the device,
                // or Nabla.backends(), gives the reason
                LOG.debug("Backend {} unavailable: {}", provider.name(), probe.reason());
            }
            result.add(new Found(provider, probe));
        }
        result.sort(Comparator.comparingInt((Found f) -> f.provider.priority()).reversed());
        return List.copyOf(result);
    }

    public static List<BackendInfo> infos() {
        return found().stream()
                .map(f -> new BackendInfo(f.provider.name(), f.provider.priority(), f.probe.available(), f.probe.reason()))
                .toList();
    }

    public static Backend of(Device device) {
        Backend backend = INSTANCES.get(device);
        if (backend != null) {
            return backend;
        }
        return INSTANCES.computeIfAbsent(device, Backends::create);
    }

    private static Backend create(Device device) {
        List<Found> all = found();
        String reasons = "";
        for (Found f : all) {
            if (!f.provider.name().equals(device.type())) {
                continue;
            }
            if (f.probe.available()) {
                return f.provider.create(device);
            }
            reasons += " " + f.provider.name() + ": " + f.probe.reason() + ".";
        }
        if (!reasons.isEmpty()) {
            throw new DeviceException("backend for device " + device + " is not available:" + reasons);
        }
        List<String> names = all.stream().map(f -> f.provider.name()).toList();
        throw new DeviceException("no backend for device " + device + " on the class path (found: " + names
                + "); add the matching nabla-backend-" + device.type() + " dependency");
    }
}

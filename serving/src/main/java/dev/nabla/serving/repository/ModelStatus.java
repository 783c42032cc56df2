package dev.nabla.serving.repository;

import java.util.List;
import java.util.OptionalLong;

/**
 * A model of the repository: the version it serves (if any) and every version directory's state, newest first.
 *
 * @param signature the serving version's inputs and outputs; null when no version serves
 */
public record ModelStatus(String name, OptionalLong servedVersion, ModelSignature signature,
                          List<VersionStatus> versions) {
    public ModelStatus {
        versions = List.copyOf(versions);
    }

    public boolean ready() {
        return servedVersion.isPresent();
    }
}

package dev.nabla;

/** Raised in anomaly mode by the first op whose forward or backward result holds NaN or infinity. */
public class AnomalyException extends NablaException {
    public AnomalyException(String message) {
        super(message);
    }
}

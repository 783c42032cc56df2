package dev.nabla.serving;

import dev.nabla.serving.capture.InferenceRecord;
import dev.nabla.serving.capture.PayloadSink;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A payload sink that keeps every record in memory and attaches labels by the contract's rules. */
final class RecordingSink implements PayloadSink {
    final List<InferenceRecord> records = new CopyOnWriteArrayList<>();
    final Map<String, long[]> labels = new ConcurrentHashMap<>();

    @Override
    public void offer(InferenceRecord record) {
        records.add(record);
    }

    @Override
    public FeedbackResult attachLabels(String model, String requestId, long[] labels) {
        InferenceRecord r = records.stream().filter(x -> x.requestId().equals(requestId) && x.model().equals(model))
                .findFirst().orElse(null);
        if (r == null) {
            return FeedbackResult.NOT_CAPTURED;
        }
        if (labels.length != r.samples()) {
            return FeedbackResult.WRONG_COUNT;
        }
        this.labels.put(requestId, labels.clone());
        return FeedbackResult.ATTACHED;
    }

    @Override
    public void close() {
    }
}

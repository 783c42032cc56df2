package dev.nabla.serving.protocol;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes an {@link InferResponse}: JSON with the output's values as a flat array (each float in its shortest
 * round-trip form, so a client reads back the very same FP32 values), or, when the client asked for binary data, a
 * JSON header whose output carries {@code binary_data_size} followed by the values little-endian.
 */
public final class InferResponseEncoder {
    private InferResponseEncoder() {
    }

    public static EncodedResponse encode(InferResponse r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(r.binary() ? 256 : 64 + r.output().length * 12);
        try (JsonGenerator g = WireJson.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("model_name", r.modelName());
            g.writeStringField("model_version", r.modelVersion());
            g.writeStringField("id", r.id());
            g.writeArrayFieldStart("outputs");
            g.writeStartObject();
            g.writeStringField("name", r.outputName());
            g.writeStringField("datatype", DataType.FP32.name());
            g.writeFieldName("shape");
            int[] shape = r.outputShape();
            g.writeArray(shape, 0, shape.length);
            float[] values = r.output();
            if (r.binary()) {
                g.writeObjectFieldStart("parameters");
                g.writeNumberField("binary_data_size", (long) values.length * Float.BYTES);
                g.writeEndObject();
            } else {
                g.writeArrayFieldStart("data");
                for (float v : values) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not reachable for a byte array
        }
        if (!r.binary()) {
            return new EncodedResponse(out.toByteArray(), EncodedResponse.JSON, -1);
        }
        int headerLength = out.size();
        ByteBuffer data = ByteBuffer.allocate(r.output().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(r.output());
        out.writeBytes(data.array());
        return new EncodedResponse(out.toByteArray(), EncodedResponse.BINARY, headerLength);
    }
}

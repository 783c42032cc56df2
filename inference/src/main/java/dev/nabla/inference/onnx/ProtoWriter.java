package dev.nabla.inference.onnx;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One protobuf message being written, field by field, with protobuf's own wire encoding. A nested message is
 * written completely first, then added as a length-delimited field of its parent (its length must be known before
 * its bytes), so each message level copies its children's bytes once.
 */
final class ProtoWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    ProtoWriter int64(int field, long value) {
        try {
            out.writeInt64(field, value);
        } catch (IOException e) {
            throw unexpected(e);
        }
        return this;
    }

    /** An enum or int32 field (protobuf encodes both as a varint). */
    ProtoWriter int32(int field, int value) {
        try {
            out.writeInt32(field, value);
        } catch (IOException e) {
            throw unexpected(e);
        }
        return this;
    }

    ProtoWriter float32(int field, float value) {
        try {
            out.writeFloat(field, value);
        } catch (IOException e) {
            throw unexpected(e);
        }
        return this;
    }

    ProtoWriter string(int field, String value) {
        try {
            out.writeString(field, value);
        } catch (IOException e) {
            throw unexpected(e);
        }
        return this;
    }

    ProtoWriter bytes(int field, byte[] value) {
        try {
            out.writeByteArray(field, value);
        } catch (IOException e) {
            throw unexpected(e);
        }
        return this;
    }

    /** {@code message} as a length-delimited field; {@code message} is finished and must not be written to again. */
    ProtoWriter message(int field, ProtoWriter message) {
        try {
            message.out.flush();
            out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(message.bytes.size());
            out.flush();
            message.bytes.writeTo(bytes);
        } catch (IOException e) {
            throw unexpected(e);
        }
        return this;
    }

    /** The encoded message. */
    byte[] toByteArray() {
        try {
            out.flush();
        } catch (IOException e) {
            throw unexpected(e);
        }
        return bytes.toByteArray();
    }

    /** Writing to memory does not fail with an IOException; if it ever does, it is a bug, not a file problem. */
    private static UncheckedIOException unexpected(IOException e) {
        return new UncheckedIOException("protobuf encoding into memory failed", e);
    }
}

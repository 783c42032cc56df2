package dev.nabla.inference.onnx;

/**
 * The field numbers and enum values of the ONNX messages the exporter writes, from the public {@code onnx.proto}
 * (github.com/onnx/onnx, onnx/onnx.proto). Only the fields Nabla writes are listed. The file is proto2, where
 * repeated scalars are unpacked by default; the exporter writes them unpacked too.
 */
final class OnnxFields {
    private OnnxFields() {
    }

    /** {@code message ModelProto}. */
    static final class Model {
        /** {@code int64 ir_version = 1}. */
        static final int IR_VERSION = 1;
        /** {@code string producer_name = 2}. */
        static final int PRODUCER_NAME = 2;
        /** {@code GraphProto graph = 7}. */
        static final int GRAPH = 7;
        /** {@code repeated OperatorSetIdProto opset_import = 8}. */
        static final int OPSET_IMPORT = 8;

        private Model() {
        }
    }

    /** {@code message OperatorSetIdProto}. */
    static final class OperatorSetId {
        /** {@code string domain = 1}; empty for the default ONNX operator set. */
        static final int DOMAIN = 1;
        /** {@code int64 version = 2}. */
        static final int VERSION = 2;

        private OperatorSetId() {
        }
    }

    /** {@code message GraphProto}. */
    static final class GraphMsg {
        /** {@code repeated NodeProto node = 1}, in topological order. */
        static final int NODE = 1;
        /** {@code string name = 2}. */
        static final int NAME = 2;
        /** {@code repeated TensorProto initializer = 5}. */
        static final int INITIALIZER = 5;
        /** {@code repeated ValueInfoProto input = 11}. */
        static final int INPUT = 11;
        /** {@code repeated ValueInfoProto output = 12}. */
        static final int OUTPUT = 12;

        private GraphMsg() {
        }
    }

    /** {@code message NodeProto}. */
    static final class NodeMsg {
        /** {@code repeated string input = 1}. */
        static final int INPUT = 1;
        /** {@code repeated string output = 2}. */
        static final int OUTPUT = 2;
        /** {@code string name = 3}. */
        static final int NAME = 3;
        /** {@code string op_type = 4}. */
        static final int OP_TYPE = 4;
        /** {@code repeated AttributeProto attribute = 5}. */
        static final int ATTRIBUTE = 5;

        private NodeMsg() {
        }
    }

    /** {@code message AttributeProto}. */
    static final class Attribute {
        /** {@code string name = 1}. */
        static final int NAME = 1;
        /** {@code float f = 2}. */
        static final int F = 2;
        /** {@code int64 i = 3}. */
        static final int I = 3;
        /** {@code bytes s = 4} (UTF-8). */
        static final int S = 4;
        /** {@code repeated int64 ints = 8}. */
        static final int INTS = 8;
        /** {@code AttributeType type = 20}. */
        static final int TYPE = 20;

        /** {@code AttributeType.FLOAT = 1}. */
        static final int TYPE_FLOAT = 1;
        /** {@code AttributeType.INT = 2}. */
        static final int TYPE_INT = 2;
        /** {@code AttributeType.STRING = 3}. */
        static final int TYPE_STRING = 3;
        /** {@code AttributeType.INTS = 7}. */
        static final int TYPE_INTS = 7;

        private Attribute() {
        }
    }

    /** {@code message TensorProto}. */
    static final class Tensor {
        /** {@code repeated int64 dims = 1}. */
        static final int DIMS = 1;
        /** {@code int32 data_type = 2} (a {@code DataType} value). */
        static final int DATA_TYPE = 2;
        /** {@code string name = 8}. */
        static final int NAME = 8;
        /** {@code bytes raw_data = 9}: fixed-width little-endian elements, one byte per BOOL. */
        static final int RAW_DATA = 9;

        /** {@code DataType.FLOAT = 1}. */
        static final int FLOAT = 1;
        /** {@code DataType.INT8 = 3}. */
        static final int INT8 = 3;
        /** {@code DataType.INT32 = 6}. */
        static final int INT32 = 6;
        /** {@code DataType.INT64 = 7}. */
        static final int INT64 = 7;
        /** {@code DataType.BOOL = 9}. */
        static final int BOOL = 9;
        /** {@code DataType.FLOAT16 = 10}. */
        static final int FLOAT16 = 10;
        /** {@code DataType.DOUBLE = 11}. */
        static final int DOUBLE = 11;
        /** {@code DataType.BFLOAT16 = 16}. */
        static final int BFLOAT16 = 16;

        private Tensor() {
        }
    }

    /** {@code message ValueInfoProto}. */
    static final class ValueInfo {
        /** {@code string name = 1}. */
        static final int NAME = 1;
        /** {@code TypeProto type = 2}. */
        static final int TYPE = 2;

        private ValueInfo() {
        }
    }

    /** {@code message TypeProto}. */
    static final class Type {
        /** {@code TypeProto.Tensor tensor_type = 1} (in the {@code value} oneof). */
        static final int TENSOR_TYPE = 1;

        private Type() {
        }
    }

    /** {@code message TypeProto.Tensor}. */
    static final class TensorType {
        /** {@code int32 elem_type = 1} (a {@code TensorProto.DataType} value). */
        static final int ELEM_TYPE = 1;
        /** {@code TensorShapeProto shape = 2}. */
        static final int SHAPE = 2;

        private TensorType() {
        }
    }

    /** {@code message TensorShapeProto}. */
    static final class Shape {
        /** {@code repeated Dimension dim = 1}. */
        static final int DIM = 1;

        private Shape() {
        }
    }

    /** {@code message TensorShapeProto.Dimension}: one of the two fields, or neither for an unknown size. */
    static final class Dimension {
        /** {@code int64 dim_value = 1}. */
        static final int DIM_VALUE = 1;
        /** {@code string dim_param = 2}. */
        static final int DIM_PARAM = 2;

        private Dimension() {
        }
    }
}

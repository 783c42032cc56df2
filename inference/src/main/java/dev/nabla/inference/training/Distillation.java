package dev.nabla.inference.training;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.nn.Functional;
import dev.nabla.nn.Loss;
import dev.nabla.nn.Module;
import dev.nabla.nn.Reduction;

/**
 * Knowledge distillation for fine-tuning a slimmed graph (Hinton et al.): the student ({@link GraphModule}) learns
 * from the labels and from the unslimmed model's outputs on the same batch, softened by a temperature. Use
 * {@link #module()} as the trainer's model and {@link #loss()} as its loss: the module's forward runs the teacher
 * (without gradients) beside the student and hands the teacher's logits to the loss. Close it after training to
 * free the teacher's memory.
 */
public final class Distillation implements AutoCloseable {
    private final Student student;
    private final double temperature;
    private final double labelWeight;

    /**
     * @param temperature softening of both outputs ({@code T}); the soft term is scaled by {@code T^2} so that its
     *                    gradients keep their size
     * @param labelWeight share of the loss from the labels (cross entropy); the rest is the KL divergence to the teacher
     */
    public Distillation(GraphModule student, Graph teacher, double temperature, double labelWeight) {
        if (!(temperature > 0) || !(labelWeight >= 0 && labelWeight <= 1)) {
            throw new IllegalArgumentException("distillation needs a positive temperature and a label weight in [0, 1], "
                    + "found " + temperature + " and " + labelWeight);
        }
        this.student = new Student(student, Predictor.of(teacher));
        this.temperature = temperature;
        this.labelWeight = labelWeight;
    }

    /** The module to train: the student's parameters, and a forward that also runs the teacher. */
    public Module module() {
        return student;
    }

    /** {@code w * CE(student, labels) + (1 - w) * T^2 * KL(teacher_T || student_T)}, over the batch's mean. */
    public Loss loss() {
        return (prediction, target) -> {
            Tensor teacher = student.lastTeacher;
            if (teacher == null) {
                throw new IllegalStateException("distillation loss: the module has not run forward on this batch yet");
            }
            if (teacher.size(0) != prediction.size(0)) {
                throw new IllegalStateException("distillation loss: the prediction has " + prediction.size(0)
                        + " rows but the module's last forward ran " + teacher.size(0)
                        + "; use the loss right after the module's forward");
            }
            Tensor hard = Functional.crossEntropy(prediction, target, null, -100, Reduction.MEAN, 0);
            Tensor logStudent = prediction.div(temperature).logSoftmax(1);
            Tensor logTeacher = teacher.div(temperature).logSoftmax(1);
            Tensor kl = logTeacher.exp().mul(logTeacher.sub(logStudent)).sum(1).mean();
            return hard.mul(labelWeight).add(kl.mul((1 - labelWeight) * temperature * temperature));
        };
    }

    /** Frees the teacher's compiled plans and its last outputs. */
    @Override
    public void close() {
        student.teacher.close();
        student.forgetTeacher();
    }

    /** The student, running the teacher on each batch it sees. */
    private static final class Student extends Module {
        private final GraphModule graph;
        private final Predictor teacher;
        private Tensor lastTeacher;

        Student(GraphModule graph, Predictor teacher) {
            this.graph = registerModule("student", graph);
            this.teacher = teacher;
        }

        @Override
        public Tensor forward(Tensor input) {
            forgetTeacher(); // the previous batch's loss is computed and done with
            try (var off = GradMode.noGrad()) {
                lastTeacher = teacher.predict(input);
            }
            return graph.call(input);
        }

        void forgetTeacher() {
            if (lastTeacher != null) {
                lastTeacher.close();
                lastTeacher = null;
            }
        }
    }
}

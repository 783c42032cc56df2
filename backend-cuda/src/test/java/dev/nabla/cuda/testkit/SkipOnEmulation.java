package dev.nabla.cuda.testkit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;

/**
 * Skips named test methods of a testkit suite on the emulated CUDA backend, each with its reason: for tests whose
 * expectations hold only on the CPU backend (said in the reason) or that are too slow on the emulation. Each entry is
 * {@code "method: reason"}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SkipOnEmulation.Condition.class)
@interface SkipOnEmulation {
    String[] value();

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<java.lang.reflect.Method> method = context.getTestMethod();
            SkipOnEmulation skip = context.getRequiredTestClass().getAnnotation(SkipOnEmulation.class);
            if (method.isPresent() && skip != null) {
                for (String entry : skip.value()) {
                    int colon = entry.indexOf(':');
                    if (entry.substring(0, colon).trim().equals(method.get().getName())) {
                        return ConditionEvaluationResult.disabled("skipped on the emulated CUDA backend: "
                                + entry.substring(colon + 1).trim());
                    }
                }
            }
            return ConditionEvaluationResult.enabled("runs on the emulated CUDA backend");
        }
    }
}

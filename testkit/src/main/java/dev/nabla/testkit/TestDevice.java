package dev.nabla.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The device a concrete testkit class runs on, in {@link dev.nabla.Device#parse} syntax:
 * <pre>{@code
 * @TestDevice("cpu") class CpuElementwiseTest extends ElementwiseSuite { }
 * }</pre>
 * A class without the annotation runs on the CPU. Override {@link BackendTestBase#device()} instead
 * when the device has to be computed.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface TestDevice {
    String value();
}

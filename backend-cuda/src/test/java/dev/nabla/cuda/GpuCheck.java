package dev.nabla.cuda;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs test classes with the JUnit launcher and no build tool, for the GPU machine (it has no Maven): {@code java
 * -cp ... dev.nabla.cuda.GpuCheck [class ...]} (default: {@link CudaRuntimeGpuTest}). Prints the summary and each
 * failure; exits 1 if anything failed, 2 if nothing ran (every test skipped: no GPU found).
 */
public final class GpuCheck {
    private GpuCheck() {
    }

    public static void main(String[] args) throws ClassNotFoundException {
        String[] names = args.length == 0 ? new String[]{CudaRuntimeGpuTest.class.getName()} : args;
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String name : names) {
            request.selectors(selectClass(Class.forName(name)));
        }
        LauncherDiscoveryRequest built = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        TestExecutionListener progress = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                System.out.println(result.getStatus() + " " + id.getDisplayName()
                        + result.getThrowable().map(t -> ": " + t).orElse(""));
            }
        };
        launcher.execute(built, listener, progress);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printTo(out);
        summary.printFailuresTo(out, 30);
        if (summary.getTotalFailureCount() > 0) {
            System.exit(1);
        }
        System.exit(summary.getTestsSucceededCount() == 0 ? 2 : 0);
    }
}

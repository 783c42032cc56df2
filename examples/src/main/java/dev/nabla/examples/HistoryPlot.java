package dev.nabla.examples;

import dev.nabla.io.AtomicFiles;
import dev.nabla.train.EpochResult;
import dev.nabla.train.History;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Draws a training {@link History} as a PNG: loss (left) and accuracy (right) per epoch, train and test. */
public final class HistoryPlot {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 440;

    private HistoryPlot() {
    }

    /** Writes the plot to {@code file} (atomically). */
    public static void writePng(History history, String title, Path file) {
        List<EpochResult> epochs = history.epochs();
        XYChart loss = chart(title + ": loss", "cross-entropy loss");
        addSeries(loss, "train", epochs, EpochResult::trainLoss);
        addSeries(loss, "test", epochs, EpochResult::validationLoss);
        XYChart accuracy = chart(title + ": accuracy", "accuracy");
        addSeries(accuracy, "train", epochs, EpochResult::trainAccuracy);
        addSeries(accuracy, "test", epochs, EpochResult::validationAccuracy);
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(List.of(loss, accuracy), 1, 2, out,
                BitmapEncoder.BitmapFormat.PNG));
    }

    private static XYChart chart(String title, String yAxis) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch")
                .yAxisTitle(yAxis).build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(yAxis.equals("accuracy") ? Styler.LegendPosition.InsideSE : Styler.LegendPosition.InsideNE);
        styler.setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setDecimalPattern("#0.###");
        chart.getStyler().setXAxisDecimalPattern("#0");
        return chart;
    }

    private static void addSeries(XYChart chart, String name, List<EpochResult> epochs,
                                  ToDoubleFunction<EpochResult> metric) {
        double[] x = new double[epochs.size()];
        double[] y = new double[epochs.size()];
        int n = 0;
        for (EpochResult e : epochs) {
            double v = metric.applyAsDouble(e);
            if (Double.isFinite(v)) {
                x[n] = e.epoch() + 1;
                y[n] = v;
                n++;
            }
        }
        if (n == 0) {
            return; // e.g. no validation data, or not a classification task
        }
        chart.addSeries(name, java.util.Arrays.copyOf(x, n), java.util.Arrays.copyOf(y, n))
                .setMarker(SeriesMarkers.CIRCLE);
    }
}

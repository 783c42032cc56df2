package dev.nabla.examples.lifecycle;

import dev.nabla.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;

/**
 * The lifecycle demo as a picture: accuracy over the served requests (a moving average), where the drift starts and
 * where the retrained version took over.
 */
final class LifecyclePlot {
    private LifecyclePlot() {
    }

    /**
     * @param correct     whether each request, in order, was answered right
     * @param driftStart  the index of the first drifted request
     * @param reload      the index of the first request the retrained version answered, or -1
     * @param window      requests per moving average
     */
    static void writePng(Path file, String title, boolean[] correct, int driftStart, int reload, int window) {
        XYChart chart = new XYChartBuilder().width(900).height(460).title(title).xAxisTitle("request")
                .yAxisTitle("accuracy (moving average of " + window + " requests)").build();
        var styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideSW);
        styler.setYAxisMin(0.0);
        styler.setYAxisMax(1.0);
        styler.setDecimalPattern("#0.##");
        styler.setXAxisDecimalPattern("#0");

        int n = correct.length - window + 1;
        if (n > 0) {
            double[] x = new double[n];
            double[] y = new double[n];
            int inWindow = 0;
            for (int i = 0; i < correct.length; i++) {
                inWindow += correct[i] ? 1 : 0;
                if (i >= window) {
                    inWindow -= correct[i - window] ? 1 : 0;
                }
                if (i >= window - 1) {
                    x[i - window + 1] = i + 1;
                    y[i - window + 1] = inWindow / (double) window;
                }
            }
            chart.addSeries("accuracy", x, y).setMarker(SeriesMarkers.NONE);
        }
        marker(chart, "drift starts", driftStart, new Color(200, 120, 0));
        if (reload >= 0) {
            marker(chart, "retrained version serves", reload, new Color(0, 140, 60));
        }
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(List.of(chart), 1, 1, out,
                BitmapEncoder.BitmapFormat.PNG));
    }

    private static void marker(XYChart chart, String name, int at, Color color) {
        XYSeries line = chart.addSeries(name, new double[]{at + 1, at + 1}, new double[]{0, 1});
        line.setMarker(SeriesMarkers.NONE);
        line.setLineColor(color);
        line.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
    }
}

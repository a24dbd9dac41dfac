package streammetrics;

import com.tdunning.math.stats.MergingDigest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reference peer for bench/tdigest: runs com.tdunning t-digest 3.3 MergingDigest on the data file the
 * TypeScript bench writes and prints the raw estimates as JSON. Errors are computed on the TS side, so
 * both implementations are scored by the same code against the same sorted data.
 *
 * Usage: JavaPeer <data.bin> <compression> <sliceCounts e.g. 6,60,1440> <qs e.g. 0.5,0.99>
 */
public final class JavaPeer {
    public static void main(String[] args) throws IOException {
        ByteBuffer in = read(Path.of(args[0]));
        double compression = Double.parseDouble(args[1]);
        int[] sliceCounts = parseInts(args[2]);
        double[] qs = parseDoubles(args[3]);

        List<String> names = new ArrayList<>();
        List<double[]> datasets = new ArrayList<>();
        int count = in.getInt();
        for (int d = 0; d < count; d++) {
            byte[] name = new byte[in.getInt()];
            in.get(name);
            double[] values = new double[in.getInt()];
            in.asDoubleBuffer().get(values);
            in.position(in.position() + values.length * 8);
            names.add(new String(name, StandardCharsets.UTF_8));
            datasets.add(values);
        }

        // Let the JIT compile the hot paths before anything is timed.
        for (int i = 0; i < 3; i++) single(datasets.get(0), compression, qs);

        StringBuilder out = new StringBuilder("{\"implementation\":\"com.tdunning:t-digest:3.3 MergingDigest\",\"datasets\":[");
        for (int d = 0; d < datasets.size(); d++) {
            double[] values = datasets.get(d);
            if (d > 0) out.append(',');
            out.append("{\"name\":\"").append(names.get(d)).append("\",");
            out.append(single(values, compression, qs));
            out.append(",\"merged\":{");
            for (int s = 0; s < sliceCounts.length; s++) {
                if (s > 0) out.append(',');
                out.append('"').append(sliceCounts[s]).append("\":").append(array(merged(values, sliceCounts[s], compression, qs)));
            }
            out.append("}}");
        }
        out.append("]}");
        System.out.println(out);
    }

    private static String single(double[] values, double compression, double[] qs) {
        long t0 = System.nanoTime();
        MergingDigest digest = new MergingDigest(compression);
        for (double v : values) digest.add(v);
        double[] estimates = new double[qs.length];
        for (int i = 0; i < qs.length; i++) estimates[i] = digest.quantile(qs[i]);
        long t1 = System.nanoTime();
        int rounds = 20_000;
        double sink = 0;
        long t2 = System.nanoTime();
        for (int r = 0; r < rounds; r++) for (double q : qs) sink += digest.quantile(q);
        long t3 = System.nanoTime();
        if (sink == 42) System.err.println();
        // The verbose and small encodings both compress() first, as the query would see them.
        int smallBytes = digest.smallByteSize();
        return String.format(Locale.ROOT,
                "\"single\":%s,\"nsPerAdd\":%.2f,\"nsPerQuantile\":%.2f,\"centroids\":%d,\"bytes\":%d",
                array(estimates), (t1 - t0) / (double) values.length, (t3 - t2) / (double) (rounds * qs.length),
                digest.centroidCount(), smallBytes);
    }

    private static double[] merged(double[] values, int slices, double compression, double[] qs) {
        List<MergingDigest> parts = new ArrayList<>(slices);
        for (int s = 0; s < slices; s++) {
            int from = (int) ((long) s * values.length / slices);
            int to = (int) ((long) (s + 1) * values.length / slices);
            MergingDigest part = new MergingDigest(compression);
            for (int i = from; i < to; i++) part.add(values[i]);
            parts.add(part);
        }
        MergingDigest all = new MergingDigest(compression);
        all.add(parts);
        double[] estimates = new double[qs.length];
        for (int i = 0; i < qs.length; i++) estimates[i] = all.quantile(qs[i]);
        return estimates;
    }

    private static ByteBuffer read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) channel.size()).order(ByteOrder.LITTLE_ENDIAN);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) { }
            return buffer.flip().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private static String array(double[] xs) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < xs.length; i++) {
            if (i > 0) b.append(',');
            b.append(Double.isFinite(xs[i]) ? Double.toString(xs[i]) : "null");
        }
        return b.append(']').toString();
    }

    private static int[] parseInts(String csv) {
        String[] parts = csv.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Integer.parseInt(parts[i]);
        return out;
    }

    private static double[] parseDoubles(String csv) {
        String[] parts = csv.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Double.parseDouble(parts[i]);
        return out;
    }
}

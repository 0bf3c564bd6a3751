package org.sbgan.runtime.image;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.commons.imaging.ImageFormats;
import org.apache.commons.imaging.Imaging;
import org.sbgan.runtime.files.AtomicFiles;
import org.sbgan.runtime.Messages;

/**
 * Reading and writing the PNG (and JPEG) files of datasets and generated scenes.
 *
 * <p>RGB images are decoded with Apache Commons Imaging (PNG; JPEG falls back to the JDK's ImageIO) and read
 * through {@code getRGB}, which round-trips 8-bit RGB exactly; alpha is dropped. Label maps are read from
 * ImageIO's raster, never through colour conversion: Commons Imaging hands 8-bit gray PNGs back in a
 * linear-gray raster (stored 200 reads as 147), and Java2D's {@code getRGB} on ImageIO's gray image
 * turns 200 into 229. Writes are atomic ({@link AtomicFiles}): a killed process or a full disk never leaves a
 * truncated image, and the error names the file.
 */
public final class Images {
    private Images() {}

    public static RgbImage readRgb(Path file) throws IOException {
        BufferedImage img = decode(file);
        int w = img.getWidth(), h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < rgb.length; i++) rgb[i] &= 0xFFFFFF;
        return new RgbImage(w, h, rgb);
    }

    /** The raw values of an 8- or 16-bit gray or palette-indexed label image. */
    public static LabelRaster readLabels(Path file) throws IOException {
        BufferedImage img;
        try (InputStream in = Files.newInputStream(file)) {
            img = ImageIO.read(in);
        } catch (IOException | RuntimeException e) {
            throw new BadImageException(file, "cannot decode label map (" + Messages.oneLine(e) + ")");
        }
        if (img == null) throw new BadImageException(file, "not a readable image");
        Raster r = img.getRaster();
        boolean indexed = img.getColorModel() instanceof IndexColorModel;
        if (r.getNumBands() != 1) {
            throw new BadImageException(file, "label map must be single-channel (8/16-bit gray or palette), got " + r.getNumBands() + " channels");
        }
        int bits = r.getSampleModel().getSampleSize(0);
        if (!indexed && bits != 8 && bits != 16) throw new BadImageException(file, "label map has unsupported bit depth " + bits);
        int w = img.getWidth(), h = img.getHeight();
        int[] values = r.getSamples(0, 0, w, h, 0, new int[w * h]);
        return new LabelRaster(w, h, values, bits);
    }

    public static void writeRgb(Path file, RgbImage image) throws IOException {
        AtomicFiles.write(file, pngRgb(image));
    }

    /** Writes 8-bit gray values (0..255), as label maps are stored. */
    public static void writeGray8(Path file, int width, int height, int[] values) throws IOException {
        byte[] png;
        try {
            png = pngGray8(width, height, values);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " for " + file);
        }
        AtomicFiles.write(file, png);
    }

    /** The PNG file {@link #writeRgb} writes, as bytes (for outputs that are not local files). */
    public static byte[] pngRgb(RgbImage image) throws IOException {
        BufferedImage img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, image.width(), image.height(), image.rgb(), 0, image.width());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Imaging.writeImage(img, out, ImageFormats.PNG);
        return out.toByteArray();
    }

    /** The PNG file {@link #writeGray8} writes, as bytes. */
    public static byte[] pngGray8(int width, int height, int[] values) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int v : values) {
            if (v < 0 || v > 255) throw new IllegalArgumentException("gray value " + v + " is outside 0..255");
        }
        img.getRaster().setSamples(0, 0, width, height, 0, values);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // ImageIO caches a plain OutputStream in a temporary file (a file created and deleted per image); in memory instead
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(img, "png", ios)) throw new IOException("no PNG writer");
        }
        return out.toByteArray();
    }

    private static BufferedImage decode(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new BadImageException(file, "no such file");
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean jpeg = name.endsWith(".jpg") || name.endsWith(".jpeg");
        try {
            if (!jpeg) return Imaging.getBufferedImage(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new BadImageException(file, "cannot decode image (" + Messages.oneLine(e) + ")");
        }
        try (InputStream in = Files.newInputStream(file)) {
            BufferedImage img = ImageIO.read(in);
            if (img == null) throw new BadImageException(file, "not a readable image");
            return img;
        } catch (BadImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BadImageException(file, "cannot decode image (" + Messages.oneLine(e) + ")");
        }
    }

}

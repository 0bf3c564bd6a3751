package org.sbgan.trainer.data.synth;

import static org.sbgan.trainer.data.synth.CityscapesClasses.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.sbgan.runtime.image.RgbImage;

/**
 * A procedural street-scene generator: each scene is a Cityscapes label map (real label ids, see
 * {@link CityscapesClasses}) and a matching textured RGB image, seen from a car on a straight street.
 *
 * <p>Geometry is a pinhole camera 1.5 m above flat ground looking down the street: a world point at lateral
 * offset {@code X} metres, height {@code h} and depth {@code z} lands at {@code x = cx + f·X/z},
 * {@code y = horizon + f·(1.5 − h)/z}. Road, lane markings, sidewalks and verge strips are ground regions;
 * building fronts, walls, hedges and fences are vertical planes parallel to the street; cars, trucks, buses,
 * people, cyclists, poles (with signs, traffic lights, lamps), trees and bins are billboards standing on the
 * ground, so their size in pixels is their real size divided by their depth. Everything is painted far to
 * near, so nearer things occlude farther ones. Per scene the horizon height, vanishing point, focal length,
 * lane count, sidewalk and verge widths, the sequence of buildings (length, height, colour, window grid),
 * parks and side streets, and the number and places of objects vary; light (which side is sunlit), sky
 * colour, clouds, exposure and colour balance vary too.
 *
 * <p>Scenes are rendered at {@value #SUPERSAMPLE}× the requested size: the image is box-filtered down (so
 * thin or distant things blend as in a photo), the label map takes the majority id of each block. Pixel
 * noise is added last. A scene depends only on {@code (seed, index)}: {@link #scene(long)} seeds its own
 * {@link SplittableRandom} from both, so scene 17 is the same whether or not scenes 0..16 were made.
 */
public final class StreetSceneGenerator {
    /** Rendering is done at this multiple of the output size, then filtered down. */
    public static final int SUPERSAMPLE = 2;

    private final int width, height;
    private final long seed;

    public StreetSceneGenerator(int width, int height, long seed) {
        if (width < 16 || height < 8 || width > 4096 || height > 4096) {
            throw new IllegalArgumentException("scene size " + height + "x" + width + " (HxW) must be at least 8x16 and at most 4096x4096");
        }
        this.width = width;
        this.height = height;
        this.seed = seed;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Scene number {@code index} of this generator's seed. */
    public StreetScene scene(long index) {
        Painter p = new Painter(width * SUPERSAMPLE, height * SUPERSAMPLE, new SplittableRandom(sceneSeed(seed, index)));
        p.paint();
        return p.finish(SUPERSAMPLE);
    }

    /** The seed of one scene's random stream, mixed from the generator seed and the scene index. */
    public static long sceneSeed(long seed, long index) {
        return TextureNoise.mix64(TextureNoise.mix64(seed ^ 0x5DEECE66DL) + (index + 1) * 0x9E3779B97F4A7C15L);
    }

    /** Paints one scene at the supersampled size. */
    private static final class Painter {
        final int W, H;
        final SplittableRandom rnd;
        final int[] lab;
        final float[] cr, cg, cb;
        final long salt;
        static final double CAM_H = 1.5;

        // camera
        double hy, cx, f, zNear;
        // street layout (lateral metres; camera at X = 0)
        double roadL, roadR, laneW, swL, swR, stripWL, stripWR;
        int stripL, stripR, lanesR, lanesL;
        boolean centreSolid, crosswalk;
        double crossZ;
        // light
        double gainL, gainR;
        double[] skyTop, skyHor, roadCol, walkCol;
        double roadWear;

        final List<Item> items = new ArrayList<>();

        record Item(double z, Runnable draw) {}

        static final int NONE = 0, TERRAIN_STRIP = 1, PARKING_STRIP = 2, GROUND_STRIP = 3;

        Painter(int w, int h, SplittableRandom rnd) {
            this.W = w;
            this.H = h;
            this.rnd = rnd;
            lab = new int[w * h];
            cr = new float[w * h];
            cg = new float[w * h];
            cb = new float[w * h];
            salt = rnd.nextLong();
        }

        double u(double a, double b) {
            return a + (b - a) * rnd.nextDouble();
        }

        boolean p(double prob) {
            return rnd.nextDouble() < prob;
        }

        void put(int x, int y, int label, double r, double g, double b) {
            if (x < 0 || y < 0 || x >= W || y >= H) return;
            int i = y * W + x;
            lab[i] = label;
            cr[i] = (float) r;
            cg[i] = (float) g;
            cb[i] = (float) b;
        }

        void put(int x, int y, int label, double[] c) {
            put(x, y, label, c[0], c[1], c[2]);
        }

        double sx(double X, double z) {
            return cx + f * X / z;
        }

        double sy(double h, double z) {
            return hy + f * (CAM_H - h) / z;
        }

        static double clamp01(double v) {
            return v < 0 ? 0 : v > 1 ? 1 : v;
        }

        static double[] mix(double[] a, double[] b, double t) {
            return new double[] {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
        }

        static double[] scale(double[] a, double s) {
            return new double[] {a[0] * s, a[1] * s, a[2] * s};
        }

        double[] rgb(double r, double g, double b) {
            return new double[] {r, g, b};
        }

        void paint() {
            setup();
            sky();
            skyline();
            ground();
            street(-1);
            street(+1);
            furnish();
            items.sort(Comparator.comparingDouble(Item::z).reversed());
            for (Item it : items) it.draw.run();
            if (p(0.75)) ego();
        }

        void setup() {
            hy = H * u(0.32, 0.5);
            cx = W * u(0.38, 0.62);
            f = W * u(0.5, 0.72);
            zNear = f * CAM_H / (H - hy);
            laneW = u(2.8, 3.5);
            lanesR = p(0.6) ? 1 : 2;
            lanesL = p(0.5) ? 1 : 2;
            roadR = laneW * u(0.45, lanesR - 0.45);
            roadL = roadR - laneW * (lanesR + lanesL);
            centreSolid = p(0.5);
            swL = u(1.8, 4.5);
            swR = u(1.8, 4.5);
            stripL = strip();
            stripR = strip();
            stripWL = stripL == NONE ? 0 : u(1.5, 4);
            stripWR = stripR == NONE ? 0 : u(1.5, 4);
            crosswalk = p(0.3);
            crossZ = u(zNear + 4, 30);
            boolean sunLeft = p(0.5);
            double lit = u(1.0, 1.2), shade = u(0.6, 0.85);
            gainL = sunLeft ? lit : shade;
            gainR = sunLeft ? shade : lit;
            boolean overcast = p(0.25);
            skyTop = overcast ? rgb(u(140, 175), u(150, 180), u(165, 195)) : rgb(u(50, 95), u(105, 145), u(170, 220));
            skyHor = overcast ? rgb(u(190, 215), u(195, 220), u(200, 225)) : rgb(u(165, 205), u(190, 215), u(205, 235));
            double g = u(70, 105);
            roadCol = rgb(g, g * u(0.98, 1.02), g * u(1.0, 1.08));
            roadWear = u(0.6, 1.0);
            double s = u(135, 180);
            walkCol = rgb(s * u(1.0, 1.08), s, s * u(0.9, 1.0));
        }

        int strip() {
            double v = rnd.nextDouble();
            return v < 0.35 ? NONE : v < 0.7 ? TERRAIN_STRIP : v < 0.85 ? PARKING_STRIP : GROUND_STRIP;
        }

        void sky() {
            double cover = u(0.0, 0.75);
            long s = salt ^ 0x51;
            double[] cloud = rgb(u(225, 250), u(225, 250), u(230, 252));
            for (int y = 0; y < H; y++) {
                double t = Math.pow(clamp01((y + 0.5) / Math.max(1, hy)), 0.8);
                double[] base = mix(skyTop, skyHor, t);
                for (int x = 0; x < W; x++) {
                    double n = TextureNoise.fbm(s, x / (W * 0.18), y / (H * 0.09));
                    double c = clamp01((n - (1 - cover * 0.75) + 0.12) / 0.2) * 0.9;
                    double shade = 0.82 + 0.18 * TextureNoise.value(s + 3, x / (W * 0.05), y / (H * 0.03));
                    put(x, y, SKY, mix(base, scale(cloud, shade), c));
                }
            }
        }

        /** Distant buildings and trees along the horizon, hazy. */
        void skyline() {
            double x = 0;
            while (x < W) {
                double bw = W * u(0.015, 0.07);
                boolean tree = p(0.3);
                double hpx = H * (tree ? u(0.01, 0.04) : u(0.01, 0.07));
                double[] c = tree ? rgb(u(60, 90), u(85, 110), u(60, 80)) : rgb(u(110, 150), u(110, 150), u(120, 160));
                c = mix(c, skyHor, 0.45);
                long s = rnd.nextLong();
                for (int xi = (int) x; xi < Math.min(W, (int) (x + bw)); xi++) {
                    double top = hy - hpx * (tree ? 0.7 + 0.3 * TextureNoise.value(s, xi * 0.5, 0) : 1);
                    for (int y = (int) Math.floor(top); y <= (int) Math.ceil(hy); y++) {
                        if (y + 0.5 < top) continue;
                        double k = 0.92 + 0.08 * TextureNoise.hash(s, xi, y);
                        put(xi, y, tree ? VEGETATION : BUILDING, scale(c, k));
                    }
                }
                x += bw;
            }
        }

        void ground() {
            long s = salt ^ 0x6A;
            double dashPeriod = u(8, 12), dashOn = u(0.3, 0.5);
            for (int y = (int) Math.floor(hy); y < H; y++) {
                double dy = y + 0.5 - hy;
                if (dy <= 0.15) continue;
                double z = Math.min(600, f * CAM_H / dy);
                double ppm = f / z; // pixels per metre
                double far = clamp01((z - 40) / 250); // haze
                for (int x = 0; x < W; x++) {
                    double X = (x + 0.5 - cx) * z / f;
                    int label;
                    double[] c;
                    if (X >= roadL && X <= roadR) {
                        label = ROAD;
                        double n = TextureNoise.value(s, X * 0.35, z * 0.12) - 0.5;
                        double fine = TextureNoise.value(s + 1, X * 3, z * 1.5) - 0.5;
                        c = scale(roadCol, 1 + 0.12 * n + 0.05 * fine * clamp01(ppm / 6));
                        // lane markings
                        double paint = 0;
                        paint = Math.max(paint, line(X, roadL + 0.3, 0.15, ppm));
                        paint = Math.max(paint, line(X, roadR - 0.3, 0.15, ppm));
                        for (int k = 1; k < lanesL + lanesR; k++) {
                            double lx = roadR - k * laneW;
                            boolean solid = k == lanesR && centreSolid;
                            double dash = solid ? 1 : (frac(z / dashPeriod) < dashOn ? 1 : 0);
                            if (ppm < 1.2 && !solid) dash = dashOn;
                            paint = Math.max(paint, dash * line(X, lx, 0.15, ppm));
                        }
                        if (crosswalk && z > crossZ && z < crossZ + 4) {
                            double st = frac((X - roadL) / 1.0) < 0.5 ? 1 : 0;
                            if (ppm < 3) st = 0.5;
                            paint = Math.max(paint, st * 0.95);
                        }
                        if (paint > 0) c = mix(c, scale(rgb(225, 225, 215), roadWear), paint);
                    } else {
                        int side = X > roadR ? 1 : -1;
                        double d = side > 0 ? X - roadR : roadL - X;
                        double sw = side > 0 ? swR : swL, stripW = side > 0 ? stripWR : stripWL;
                        int strip = side > 0 ? stripR : stripL;
                        if (d < sw || d > sw + stripW) {
                            label = SIDEWALK;
                            c = walkCol.clone();
                            if (d < 0.25) c = scale(c, 1.12);
                            else if (ppm > 8) {
                                double jd = Math.min(frac(d / 0.5), 1 - frac(d / 0.5)) * 0.5 * ppm;
                                double jz = Math.min(frac(z / 0.5), 1 - frac(z / 0.5)) * 0.5 / (z * z / (f * CAM_H));
                                if (jd < 0.6 || jz < 0.6) c = scale(c, 0.85);
                            }
                            c = scale(c, 1 + 0.1 * (TextureNoise.value(s + 2, X * 0.6, z * 0.3) - 0.5));
                        } else if (strip == TERRAIN_STRIP) {
                            label = TERRAIN;
                            double n = TextureNoise.value(s + 3, X * 1.5, z * 0.8), fine = TextureNoise.hash(s + 4, x, y);
                            c = rgb(95 + 40 * n, 125 + 40 * n, 50 + 20 * n);
                            c = scale(c, 0.88 + 0.24 * fine * clamp01(ppm / 4));
                        } else if (strip == PARKING_STRIP) {
                            label = PARKING;
                            c = scale(roadCol, 1.12 + 0.1 * (TextureNoise.value(s + 5, X * 0.5, z * 0.2) - 0.5));
                            if (ppm > 3 && frac(z / 5.5) < 0.1 * 5.5 / Math.max(5.5, z)) c = rgb(200, 200, 195);
                        } else {
                            label = GROUND;
                            double n = TextureNoise.value(s + 6, X * 1.2, z * 0.6);
                            c = rgb(120 + 25 * n, 105 + 20 * n, 85 + 15 * n);
                        }
                    }
                    c = mix(c, skyHor, far * 0.5);
                    put(x, y, label, c);
                }
            }
        }

        static double frac(double v) {
            return v - Math.floor(v);
        }

        /** Coverage of a painted line of width {@code w} metres at lateral {@code lx}, seen at {@code ppm} pixels per metre. */
        static double line(double X, double lx, double w, double ppm) {
            double dpx = Math.abs(X - lx) * ppm;
            double wpx = w * ppm;
            return dpx < Math.max(0.5, wpx / 2) ? Math.min(1, wpx) : 0;
        }

        interface Shader {
            /** Colour of a surface point ({@code u} along the street or across it, {@code h} height, metres per pixel), or null where transparent. */
            double[] shade(double u, double h, double mpp);
        }

        /** A vertical plane at lateral {@code X} running along the street from depth z1 to z2, heights h0..h1. */
        void sidePlane(double X, double z1, double z2, double h0, double h1, int label, Shader sh) {
            z1 = Math.max(z1, 0.3);
            if (z2 <= z1) return;
            double xa = sx(X, z1), xb = sx(X, z2);
            int x0 = (int) Math.floor(Math.max(0, Math.min(xa, xb))), x1 = (int) Math.ceil(Math.min(W, Math.max(xa, xb)));
            for (int x = x0; x < x1; x++) {
                double dx = x + 0.5 - cx;
                if (dx == 0 || Math.signum(dx) != Math.signum(X)) continue;
                double z = f * X / dx;
                if (z < z1 || z > z2) continue;
                double mpp = z * z / (f * Math.abs(X));
                double yt = sy(h1, z), yb = sy(h0, z);
                for (int y = Math.max(0, (int) Math.floor(yt)); y < Math.min(H, (int) Math.ceil(yb)); y++) {
                    double h = CAM_H - (y + 0.5 - hy) * z / f;
                    if (h < h0 || h > h1) continue;
                    double[] c = sh.shade(z, h, Math.max(mpp, z / f));
                    if (c != null) put(x, y, label, mix(c, skyHor, clamp01((z - 60) / 300) * 0.6));
                }
            }
        }

        /** A vertical plane facing the camera at depth z, lateral Xa..Xb, heights h0..h1. */
        void frontPlane(double Xa, double Xb, double z, double h0, double h1, int label, Shader sh) {
            if (z < 0.5) return;
            double xa = sx(Math.min(Xa, Xb), z), xb = sx(Math.max(Xa, Xb), z);
            double yt = sy(h1, z), yb = sy(h0, z);
            for (int y = Math.max(0, (int) Math.floor(yt)); y < Math.min(H, (int) Math.ceil(yb)); y++) {
                double h = CAM_H - (y + 0.5 - hy) * z / f;
                if (h < h0 || h > h1) continue;
                for (int x = Math.max(0, (int) Math.floor(xa)); x < Math.min(W, (int) Math.ceil(xb)); x++) {
                    double X = (x + 0.5 - cx) * z / f;
                    if (X < Math.min(Xa, Xb) || X > Math.max(Xa, Xb)) continue;
                    double[] c = sh.shade(X, h, z / f);
                    if (c != null) put(x, y, label, mix(c, skyHor, clamp01((z - 60) / 300) * 0.6));
                }
            }
        }

        static final double[][] FACADES = {{200, 190, 170}, {170, 110, 90}, {150, 150, 150}, {215, 205, 185}, {120, 110, 100},
                {185, 170, 140}, {110, 120, 130}, {205, 180, 150}, {160, 80, 60}, {230, 225, 215}};

        /** Buildings, parks and side streets along one side of the street (side −1 left, +1 right). */
        void street(int side) {
            double edge = side > 0 ? roadR + swR + stripWR : roadL - swL - stripWL;
            double gain = side > 0 ? gainR : gainL;
            double z = u(0.3, 6), zEnd = u(50, 170);
            boolean any = false;
            while (z < zEnd) {
                double kind = rnd.nextDouble();
                if (kind < 0.72 || !any) {
                    double len = u(6, 22), height = p(0.15) ? u(22, 40) : u(6, 22);
                    double X = edge + side * u(0, 0.8);
                    Shader sh = building(gain, height);
                    double z1 = z, z2 = z + len;
                    double depth = u(10, 25);
                    Shader front = building(gain * 0.72, height);
                    items.add(new Item(z2 + 1000, () -> {
                        sidePlane(X, z1, z2, 0, height, BUILDING, sh);
                        frontPlane(X, X + side * depth, z1, 0, height, BUILDING, front);
                    }));
                    if (p(0.15)) {
                        double hh = u(0.7, 1.4), hx = X - side * 0.5;
                        double[] leaf = rgb(u(45, 75), u(85, 115), u(30, 50));
                        long ls = rnd.nextLong();
                        items.add(new Item(z2 + 999, () -> sidePlane(hx, z1, z2, 0, hh, VEGETATION, foliage(leaf, ls, gain))));
                    }
                    z = z2;
                    any = true;
                } else if (kind < 0.86) {
                    // a park: a low wall or fence with trees behind
                    double len = u(8, 25), z1 = z, z2 = z + len;
                    boolean wall = p(0.5);
                    double wh = wall ? u(0.8, 2.5) : u(1.0, 1.8), X = edge;
                    double[] leaf = rgb(u(40, 80), u(80, 120), u(25, 50));
                    long ls = rnd.nextLong();
                    double th = u(4, 10);
                    double[] wc = wall ? rgb(u(150, 190), u(150, 185), u(140, 175)) : rgb(u(90, 130), u(80, 110), u(60, 90));
                    items.add(new Item(z2 + 1000, () -> {
                        sidePlane(X + side * 3, z1, z2, 0, th, VEGETATION, canopyPlane(leaf, ls, gain, th));
                        if (wall) sidePlane(X, z1, z2, 0, wh, WALL, wallShader(wc, gain));
                        else sidePlane(X, z1, z2, 0, wh, FENCE, fenceShader(wc, gain));
                    }));
                    z = z2;
                } else {
                    z += u(6, 12); // side street: the view runs on to the distance
                }
            }
            // verge fence between sidewalk and strip
            int strip = side > 0 ? stripR : stripL;
            if (strip == TERRAIN_STRIP && p(0.35)) {
                double X = side > 0 ? roadR + swR : roadL - swL, z1 = u(0.5, 10), z2 = z1 + u(10, 60);
                double[] wc = rgb(u(90, 140), u(90, 130), u(80, 120));
                items.add(new Item(z2 + 500, () -> sidePlane(X, z1, z2, 0, 1.1, FENCE, fenceShader(wc, gain))));
            }
        }

        Shader building(double gain, double height) {
            double[] base = FACADES[rnd.nextInt(FACADES.length)].clone();
            base = rgb(base[0] * u(0.88, 1.1), base[1] * u(0.88, 1.1), base[2] * u(0.88, 1.1));
            double[] glass = rgb(u(35, 70), u(45, 80), u(55, 100));
            double floorH = u(2.8, 3.6), spacing = u(2.0, 3.5), ww = u(0.35, 0.65), wh = u(0.4, 0.65);
            double gf = u(3, 4.5), off = u(0, 3);
            boolean shop = p(0.5);
            long s = rnd.nextLong();
            double[] fb = scale(base, gain);
            double[] avg = mix(fb, scale(glass, gain), ww * wh);
            return (u, h, mpp) -> {
                double[] c = scale(fb, 0.8 + 0.2 * Math.min(1, h / 8));
                c = scale(c, 1 + 0.08 * (TextureNoise.value(s, u * 0.4, h * 0.4) - 0.5));
                if (h > height - 0.5) return scale(c, 0.78);
                double blur = clamp01((mpp / Math.min(spacing * ww, floorH * wh) - 0.35) / 0.6);
                if (h > gf) {
                    double fh = frac((h - gf) / floorH), fu = frac((u + off) / spacing);
                    boolean in = Math.abs(fu - 0.5) < ww / 2 && fh > 0.3 && fh < 0.3 + wh;
                    double[] sharp = c;
                    if (in) {
                        long wi = (long) Math.floor((u + off) / spacing), fi = (long) Math.floor((h - gf) / floorH);
                        double r = TextureNoise.hash(s, wi, fi);
                        double[] g = scale(glass, gain * (0.8 + 0.6 * r));
                        if (r > 0.85) g = mix(g, skyHor, 0.5);
                        sharp = mix(g, skyHor, 0.25 * (1 - fh));
                    } else if (Math.abs(fu - 0.5) < ww / 2 + 0.06 && fh > 0.25 && fh < 0.35 + wh) {
                        sharp = scale(c, 1.12);
                    }
                    double[] av = scale(avg, 0.8 + 0.2 * Math.min(1, h / 8));
                    return mix(sharp, av, blur);
                }
                if (shop && h > 0.5 && h < gf - 0.6 && frac((u + off) / (spacing * 2)) < 0.7) {
                    return mix(scale(glass, gain * 0.9), scale(c, 0.6), 0.3 * (h / gf));
                }
                if (h < gf && h > gf - 0.35) return scale(c, 0.85);
                return c;
            };
        }

        Shader foliage(double[] leaf, long s, double gain) {
            return (u, h, mpp) -> {
                double n = TextureNoise.value(s, u * 2.5, h * 2.5), fine = TextureNoise.hash(s, (long) Math.floor(u * 8), (long) Math.floor(h * 8));
                double k = (0.75 + 0.35 * n + 0.2 * (fine - 0.5) * clamp01(0.15 / mpp)) * gain * (0.8 + 0.2 * h);
                return scale(leaf, k);
            };
        }

        Shader canopyPlane(double[] leaf, long s, double gain, double top) {
            return (u, h, mpp) -> {
                double edge = top * (0.7 + 0.3 * TextureNoise.value(s + 9, u * 0.4, 0)) ;
                if (h > edge) return null;
                if (h < 2.2 && frac(u / 5.0) > 0.06) {
                    // under the trees: darker shade between trunks
                    return scale(leaf, 0.45 * gain);
                }
                if (h < 2.2) return rgb(80 * gain, 60 * gain, 40 * gain);
                double n = TextureNoise.value(s, u * 1.5, h * 1.5), fine = TextureNoise.hash(s, (long) Math.floor(u * 6), (long) Math.floor(h * 6));
                double k = (0.7 + 0.4 * n + 0.25 * (fine - 0.5) * clamp01(0.2 / mpp)) * gain * (0.7 + 0.3 * h / top);
                return scale(leaf, k);
            };
        }

        Shader wallShader(double[] c, double gain) {
            return (u, h, mpp) -> {
                double[] v = scale(c, gain * (0.85 + 0.15 * h / 2.5));
                if (mpp < 0.08 && (frac(h / 0.25) < 0.12 || frac(u / 0.5 + (Math.floor(h / 0.25) % 2) * 0.5) < 0.06)) v = scale(v, 0.85);
                return v;
            };
        }

        Shader fenceShader(double[] c, double gain) {
            return (u, h, mpp) -> {
                if (h > 0.95 * 1.1 && h < 1.0 * 1.1) return scale(c, gain * 0.9);
                if (mpp < 0.1 && frac(u / 0.25) > 0.45 && h > 0.1) return null; // gaps between the slats
                return scale(c, gain * (0.85 + 0.15 * h));
            };
        }

        /** Objects standing on the ground: vehicles, people, poles, trees, bins. */
        void furnish() {
            // trees
            for (int side = -1; side <= 1; side += 2) {
                if (!p(0.55)) continue;
                int strip = side > 0 ? stripR : stripL;
                double X = strip == TERRAIN_STRIP ? (side > 0 ? roadR + swR + stripWR / 2 : roadL - swL - stripWL / 2)
                        : (side > 0 ? roadR + swR * 0.75 : roadL - swL * 0.75);
                double spacing = u(7, 15);
                for (double z = u(zNear * 0.5, 10); z < 90; z += spacing * u(0.8, 1.2)) {
                    double zz = z, trunk = u(2.2, 3.5), r = u(1.4, 3.0);
                    double[] leaf = rgb(u(40, 85), u(80, 125), u(25, 50));
                    long s = rnd.nextLong();
                    double gain = side > 0 ? gainR : gainL;
                    items.add(new Item(zz, () -> tree(X, zz, trunk, r, leaf, s, gain)));
                }
            }
            // poles with lamps, signs and traffic lights
            for (int side = -1; side <= 1; side += 2) {
                double X = side > 0 ? roadR + 0.45 : roadL - 0.45;
                double spacing = u(14, 35);
                for (double z = u(zNear * 0.6, 20); z < 120; z += spacing * u(0.7, 1.3)) {
                    double zz = z, ph = u(4, 8);
                    int kind = rnd.nextDouble() < 0.4 ? 1 : rnd.nextDouble() < 0.35 ? 2 : 0;
                    boolean lamp = p(0.5);
                    int signStyle = rnd.nextInt(4), light = rnd.nextInt(3);
                    int sd = side;
                    items.add(new Item(zz, () -> pole(X, zz, ph, sd, kind, lamp, signStyle, light)));
                }
            }
            // parked cars
            for (int side = -1; side <= 1; side += 2) {
                int strip = side > 0 ? stripR : stripL;
                boolean onStrip = strip == PARKING_STRIP;
                if (!onStrip && !p(0.4)) continue;
                double X = onStrip ? (side > 0 ? roadR + swR + stripWR / 2 : roadL - swL - stripWL / 2) : (side > 0 ? roadR - 1.1 : roadL + 1.1);
                if (onStrip) X = side > 0 ? roadR + swR + Math.min(1.2, stripWR / 2) : roadL - swL - Math.min(1.2, stripWL / 2);
                double xx = X;
                for (double z = u(zNear, 12); z < 70; z += u(5.0, 9)) {
                    if (p(0.25)) continue;
                    double zz = z;
                    double[] paint = carPaint();
                    items.add(new Item(zz, () -> car(xx, zz, paint, true)));
                }
            }
            // moving traffic
            int n = rnd.nextInt(6);
            for (int i = 0; i < n; i++) {
                int lane = rnd.nextInt(lanesL + lanesR);
                double X = roadR - (lane + 0.5) * laneW + u(-0.3, 0.3);
                double z = u(zNear + 3, 80);
                boolean oncoming = lane >= lanesR;
                double v = rnd.nextDouble();
                double[] paint = carPaint();
                if (v < 0.1) {
                    double[] box = rgb(u(150, 235), u(150, 235), u(150, 235));
                    items.add(new Item(z, () -> truck(X, z, box, TRUCK)));
                } else if (v < 0.16) {
                    double[] box = p(0.5) ? rgb(220, 200, 40) : rgb(u(30, 200), u(60, 120), u(90, 180));
                    items.add(new Item(z, () -> truck(X, z, box, BUS)));
                } else {
                    items.add(new Item(z, () -> car(X, z, paint, !oncoming)));
                }
            }
            // people on the sidewalks, some crossing
            int people = rnd.nextInt(9);
            for (int i = 0; i < people; i++) {
                int side = p(0.5) ? 1 : -1;
                double X, z;
                if (p(0.15)) {
                    X = u(roadL + 0.5, roadR - 0.5);
                    z = crosswalk ? crossZ + u(0.5, 3.5) : u(zNear + 2, 30);
                } else {
                    X = side > 0 ? roadR + u(0.6, swR - 0.2) : roadL - u(0.6, swL - 0.2);
                    z = zNear + Math.pow(rnd.nextDouble(), 1.5) * 45 + 0.5;
                }
                double ht = u(1.55, 1.95);
                double[][] cl = clothes();
                double stride = u(-0.12, 0.12);
                items.add(new Item(z, () -> person(X, z, ht, cl, stride, PERSON, 0)));
            }
            // a cyclist
            if (p(0.3)) {
                double X = roadR - u(0.6, 1.2), z = u(zNear + 2, 35), ht = u(1.6, 1.9);
                double[][] cl = clothes();
                double[] frame = rgb(u(20, 200), u(20, 200), u(20, 200));
                items.add(new Item(z, () -> {
                    bicycle(X, z, frame);
                    person(X, z, ht * 0.8, cl, 0, RIDER, 0.5);
                }));
            }
            // bins and benches
            int bins = rnd.nextInt(4);
            for (int i = 0; i < bins; i++) {
                int side = p(0.5) ? 1 : -1;
                double X = side > 0 ? roadR + u(0.5, swR) : roadL - u(0.5, swL), z = u(zNear + 1, 40);
                double[] c = p(0.5) ? rgb(40, 70, 45) : rgb(u(60, 120), u(60, 120), u(60, 120));
                double w = u(0.5, 1.4), h = u(0.8, 1.1);
                items.add(new Item(z, () -> box(X, z, w, h, c, STATIC)));
            }
        }

        double[] carPaint() {
            double v = rnd.nextDouble();
            if (v < 0.25) return rgb(u(15, 40), u(15, 40), u(15, 45));
            if (v < 0.5) return rgb(u(190, 235), u(190, 235), u(190, 235));
            if (v < 0.7) return rgb(u(100, 150), u(100, 150), u(105, 155));
            return rgb(u(40, 200), u(20, 150), u(20, 160));
        }

        double[][] clothes() {
            double skin = u(0.45, 1.0);
            return new double[][] {rgb(u(20, 230), u(20, 200), u(20, 200)), p(0.5) ? rgb(u(30, 60), u(40, 70), u(80, 120)) : rgb(u(20, 90), u(20, 80), u(20, 80)),
                    rgb(110 + 120 * skin, 70 + 110 * skin, 50 + 100 * skin), rgb(u(20, 90), u(15, 60), u(10, 40))};
        }

        void shadow(double xc, double yb, double halfW, double hPx) {
            for (int y = (int) Math.floor(yb - hPx * 0.3); y < Math.ceil(yb + hPx); y++) {
                for (int x = (int) Math.floor(xc - halfW); x < Math.ceil(xc + halfW); x++) {
                    if (x < 0 || y < 0 || x >= W || y >= H) continue;
                    double dx = (x + 0.5 - xc) / halfW, dy = (y + 0.5 - yb) / hPx;
                    double d = dx * dx + dy * dy;
                    if (d >= 1) continue;
                    int i = y * W + x;
                    int l = lab[i];
                    if (l != ROAD && l != SIDEWALK && l != PARKING && l != TERRAIN && l != GROUND) continue;
                    float k = (float) (0.55 + 0.45 * d);
                    cr[i] *= k;
                    cg[i] *= k;
                    cb[i] *= k;
                }
            }
        }

        void car(double X, double z, double[] paint, boolean rear) {
            double xc = sx(X, z), yb = sy(0, z), pw = 1.8 * f / z, ph = u(1.35, 1.6) * f / z;
            shadow(xc, yb, pw * 0.6, ph * 0.12);
            double[] glass = rgb(35, 45, 58);
            for (int y = (int) Math.floor(yb - ph); y < Math.ceil(yb); y++) {
                double v = (yb - (y + 0.5)) / ph;
                if (v < 0 || v > 1) continue;
                for (int x = (int) Math.floor(xc - pw / 2); x < Math.ceil(xc + pw / 2); x++) {
                    double uu = (x + 0.5 - xc) / pw + 0.5;
                    if (uu < 0 || uu > 1) continue;
                    double a = Math.abs(uu - 0.5);
                    double[] c;
                    if (v < 0.58) {
                        if (v < 0.16 && a > 0.3 && a < 0.48) c = rgb(18, 18, 20);
                        else if (v < 0.06) continue;
                        else if (v < 0.16 && a > 0.48) continue;
                        else if (v < 0.22) c = scale(paint, 0.45);
                        else if (v > 0.36 && v < 0.47 && a > 0.3 && a < 0.46) c = rear ? rgb(200, 30, 30) : rgb(235, 230, 200);
                        else if (v > 0.22 && v < 0.31 && a < 0.1) c = rgb(225, 225, 215);
                        else c = scale(paint, 0.72 + 0.4 * v);
                        if (a > 0.5 - 0.06 && v > 0.5) continue; // rounded shoulders
                    } else {
                        double half = 0.5 - 0.08 - 0.14 * (v - 0.58) / 0.42;
                        if (a > half) continue;
                        if (v > 0.93 && a > half - 0.04) continue;
                        if (v > 0.62 && v < 0.92 && a < half - 0.04) c = mix(glass, skyHor, 0.35 * (v - 0.62) / 0.3);
                        else c = scale(paint, 0.95 + 0.15 * (v - 0.58));
                    }
                    put(x, y, CAR, c);
                }
            }
        }

        void truck(double X, double z, double[] paint, int label) {
            double xc = sx(X, z), yb = sy(0, z), pw = 2.5 * f / z, ph = (label == BUS ? 3.1 : u(2.8, 3.6)) * f / z;
            shadow(xc, yb, pw * 0.6, ph * 0.06);
            for (int y = (int) Math.floor(yb - ph); y < Math.ceil(yb); y++) {
                double v = (yb - (y + 0.5)) / ph;
                if (v < 0 || v > 1) continue;
                for (int x = (int) Math.floor(xc - pw / 2); x < Math.ceil(xc + pw / 2); x++) {
                    double uu = (x + 0.5 - xc) / pw + 0.5;
                    if (uu < 0 || uu > 1) continue;
                    double a = Math.abs(uu - 0.5);
                    double[] c;
                    if (v < 0.1) {
                        if (a > 0.28 && a < 0.46) c = rgb(18, 18, 20);
                        else if (v < 0.04) continue;
                        else c = rgb(30, 30, 32);
                    } else if (v < 0.16) c = scale(paint, 0.4);
                    else if (label == BUS && v > 0.45 && v < 0.85 && a < 0.46) c = mix(rgb(30, 40, 50), skyHor, 0.2);
                    else if (v > 0.18 && v < 0.24 && a > 0.36 && a < 0.47) c = rgb(200, 30, 30);
                    else if (label == TRUCK && Math.abs(a) < 0.012 && v > 0.2) c = scale(paint, 0.6);
                    else c = scale(paint, 0.75 + 0.3 * v);
                    put(x, y, label, c);
                }
            }
        }

        void person(double X, double z, double height, double[][] cl, double stride, int label, double lift) {
            double xc = sx(X, z), yb = sy(lift, z), ph = height * f / z;
            if (lift == 0) shadow(xc, yb, ph * 0.15, ph * 0.03);
            double[] shirt = cl[0], trousers = cl[1], skin = cl[2], hair = cl[3];
            for (int y = (int) Math.floor(yb - ph); y < Math.ceil(yb); y++) {
                double v = (yb - (y + 0.5)) / ph;
                if (v < 0 || v > 1) continue;
                for (int x = (int) Math.floor(xc - ph * 0.25); x < Math.ceil(xc + ph * 0.25); x++) {
                    double du = (x + 0.5 - xc) / ph;
                    double[] c = null;
                    double hv = v - 0.925;
                    if (du * du + hv * hv < 0.068 * 0.068) c = hv > 0.01 ? hair : skin;
                    else if (v > 0.5 && v < 0.86) {
                        double half = 0.11 + 0.02 * (v - 0.5) / 0.36;
                        if (Math.abs(du) < half) c = scale(shirt, 0.8 + 0.3 * (v - 0.5) / 0.36 - 0.3 * Math.abs(du));
                        else if (Math.abs(du) < half + 0.045 && v > 0.54) c = v < 0.58 ? skin : scale(shirt, 0.75);
                    } else if (v <= 0.5 && lift == 0) {
                        double s = stride * (0.5 - v) / 0.5;
                        double l1 = -0.055 - s, l2 = 0.055 + s;
                        if (Math.abs(du - l1) < 0.05 || Math.abs(du - l2) < 0.05) c = v < 0.03 ? rgb(25, 22, 20) : scale(trousers, 0.8 + 0.3 * v);
                    } else if (v <= 0.5 && v > 0.25 && lift > 0) {
                        if (Math.abs(du) < 0.1) c = trousers;
                    }
                    if (c != null) put(x, y, label, c);
                }
            }
        }

        void bicycle(double X, double z, double[] frame) {
            // seen from behind: a thin wheel, handlebar and frame
            double xc = sx(X, z), yb = sy(0, z), ph = 1.05 * f / z;
            for (int y = (int) Math.floor(yb - ph); y < Math.ceil(yb); y++) {
                double v = (yb - (y + 0.5)) / ph;
                if (v < 0 || v > 1) continue;
                for (int x = (int) Math.floor(xc - ph * 0.35); x < Math.ceil(xc + ph * 0.35); x++) {
                    double du = (x + 0.5 - xc) / ph, wheel = Math.max(1.0 / ph, 0.045);
                    double[] c = null;
                    if (v < 0.65 && Math.abs(du) < wheel) c = rgb(20, 20, 20);
                    else if (v > 0.88 && Math.abs(du) < 0.3) c = frame;
                    else if (v >= 0.65 && Math.abs(du) < wheel) c = frame;
                    if (c != null) put(x, y, BICYCLE, c);
                }
            }
        }

        void box(double X, double z, double w, double h, double[] c, int label) {
            double xc = sx(X, z), yb = sy(0, z), pw = w * f / z, ph = h * f / z;
            shadow(xc, yb, pw * 0.6, ph * 0.08);
            for (int y = (int) Math.floor(yb - ph); y < Math.ceil(yb); y++) {
                double v = (yb - (y + 0.5)) / ph;
                if (v < 0 || v > 1) continue;
                for (int x = (int) Math.floor(xc - pw / 2); x < Math.ceil(xc + pw / 2); x++) {
                    double uu = (x + 0.5 - xc) / pw + 0.5;
                    if (uu < 0 || uu > 1) continue;
                    put(x, y, label, scale(c, 0.75 + 0.3 * v + (v > 0.92 ? 0.15 : 0)));
                }
            }
        }

        /** A thin vertical rectangle from height h0 to h1 at (X, z), at least {@code minPx} pixels wide. */
        void post(double X, double z, double w, double h0, double h1, int label, double[] c, double minPx) {
            double xc = sx(X, z), pw = Math.max(minPx, w * f / z);
            double yt = sy(h1, z), yb = sy(h0, z);
            for (int y = (int) Math.floor(yt); y < Math.ceil(yb); y++) {
                if (y + 0.5 < yt || y + 0.5 > yb) continue;
                for (int x = (int) Math.floor(xc - pw / 2); x < Math.ceil(xc + pw / 2); x++) {
                    double uu = (x + 0.5 - xc) / pw + 0.5;
                    if (uu < 0 || uu > 1) continue;
                    put(x, y, label, scale(c, 1.15 - 0.35 * uu));
                }
            }
        }

        void pole(double X, double z, double height, int side, int kind, boolean lamp, int signStyle, int light) {
            double[] metal = rgb(115, 115, 120);
            post(X, z, 0.14, 0, height, POLE, metal, 2);
            if (lamp) {
                double armY = height - 0.1;
                double xa = sx(X, z), xb = sx(X - side * 1.6, z), yt = sy(armY + 0.08, z), yb = sy(armY - 0.08, z);
                for (int y = (int) Math.floor(yt); y < Math.ceil(Math.max(yb, yt + 1)); y++) {
                    for (int x = (int) Math.floor(Math.min(xa, xb)); x < Math.ceil(Math.max(xa, xb)); x++) put(x, y, POLE, metal);
                }
                post(X - side * 1.6, z, 0.45, armY - 0.25, armY, POLE, rgb(90, 90, 95), 1);
            }
            if (kind == 1) {
                double hs = u(2.2, 3.0), r = 0.33;
                double xc = sx(X, z), yc = sy(hs, z), rp = Math.max(1.5, r * f / z);
                for (int y = (int) Math.floor(yc - rp); y < Math.ceil(yc + rp); y++) {
                    for (int x = (int) Math.floor(xc - rp); x < Math.ceil(xc + rp); x++) {
                        double dx = (x + 0.5 - xc) / rp, dy = (y + 0.5 - yc) / rp;
                        double d2 = dx * dx + dy * dy;
                        double[] c;
                        switch (signStyle) {
                            case 0 -> { // prohibition: red ring, white inside
                                if (d2 > 1) continue;
                                c = d2 > 0.55 ? rgb(200, 30, 35) : rgb(235, 235, 230);
                            }
                            case 1 -> { // mandatory: blue disc with a white arrow
                                if (d2 > 1) continue;
                                c = Math.abs(dx) < 0.15 && dy > -0.6 && dy < 0.6 ? rgb(235, 235, 235) : rgb(30, 80, 175);
                            }
                            case 2 -> { // information: blue square
                                if (Math.abs(dx) > 0.9 || Math.abs(dy) > 0.9) continue;
                                c = Math.abs(dx) > 0.75 || Math.abs(dy) > 0.75 ? rgb(235, 235, 235) : rgb(25, 75, 165);
                            }
                            default -> { // priority road: yellow diamond
                                if (Math.abs(dx) + Math.abs(dy) > 1) continue;
                                c = Math.abs(dx) + Math.abs(dy) > 0.7 ? rgb(235, 235, 235) : rgb(240, 200, 20);
                            }
                        }
                        put(x, y, TRAFFIC_SIGN, c);
                    }
                }
            } else if (kind == 2) {
                double hl = u(2.6, 3.4), bw = 0.36, bh = 0.95;
                double xc = sx(X, z), yt = sy(hl + bh, z), yb = sy(hl, z), pw = Math.max(2, bw * f / z);
                for (int y = (int) Math.floor(yt); y < Math.ceil(yb); y++) {
                    double v = (yb - (y + 0.5)) / (yb - yt);
                    for (int x = (int) Math.floor(xc - pw / 2); x < Math.ceil(xc + pw / 2); x++) {
                        double uu = (x + 0.5 - xc) / pw;
                        double[] c = rgb(35, 35, 38);
                        int lamp3 = (int) Math.min(2, Math.floor((1 - v) * 3));
                        double lv = (1 - v) * 3 - lamp3 - 0.5;
                        if (uu * uu + lv * lv < 0.12) {
                            boolean on = lamp3 == light;
                            double[] lc = lamp3 == 0 ? rgb(255, 40, 30) : lamp3 == 1 ? rgb(255, 180, 20) : rgb(40, 230, 110);
                            c = on ? lc : scale(lc, 0.25);
                        }
                        put(x, y, TRAFFIC_LIGHT, c);
                    }
                }
            }
        }

        void tree(double X, double z, double trunk, double r, double[] leaf, long s, double gain) {
            double[] bark = rgb(u(70, 100), u(55, 75), u(40, 55));
            post(X, z, 0.3, 0, trunk + r * 0.5, VEGETATION, scale(bark, gain), 1.5);
            double xc = sx(X, z), ppm = f / z;
            double ch = trunk + r * 0.85;
            int blobs = 5 + rnd.nextInt(4);
            double[][] b = new double[blobs][3];
            for (int i = 0; i < blobs; i++) {
                b[i][0] = u(-0.55, 0.55) * r;
                b[i][1] = ch + u(-0.45, 0.5) * r;
                b[i][2] = u(0.45, 0.75) * r;
            }
            double yTop = sy(ch + 1.3 * r, z), yBot = sy(ch - 1.3 * r, z);
            for (int y = (int) Math.floor(yTop); y < Math.ceil(yBot); y++) {
                double h = CAM_H - (y + 0.5 - hy) / ppm;
                for (int x = (int) Math.floor(xc - 1.4 * r * ppm); x < Math.ceil(xc + 1.4 * r * ppm); x++) {
                    double lx = (x + 0.5 - xc) / ppm;
                    boolean in = false;
                    for (double[] bl : b) {
                        double dx = lx - bl[0], dh = h - bl[1];
                        if (dx * dx + dh * dh < bl[2] * bl[2]) {
                            in = true;
                            break;
                        }
                    }
                    if (!in) continue;
                    double n = TextureNoise.value(s, lx * 2, h * 2), fine = TextureNoise.hash(s, (long) Math.floor(lx * 7), (long) Math.floor(h * 7));
                    double k = (0.7 + 0.35 * n + 0.3 * (fine - 0.5) * clamp01(ppm / 5)) * gain * (0.75 + 0.25 * (h - ch + r) / (2 * r));
                    put(x, y, VEGETATION, scale(leaf, k));
                }
            }
        }

        void ego() {
            double eh = H * u(0.06, 0.13), half = W * u(0.6, 0.8), xc = W * u(0.45, 0.55);
            double[] paint = p(0.5) ? rgb(u(20, 45), u(20, 45), u(25, 50)) : rgb(u(150, 200), u(150, 200), u(155, 205));
            for (int y = (int) Math.floor(H - eh); y < H; y++) {
                for (int x = 0; x < W; x++) {
                    double t = (x + 0.5 - xc) / half;
                    double top = H - eh * (1 - t * t);
                    if (t * t >= 1 || y + 0.5 < top) continue;
                    double d = (y + 0.5 - top) / eh;
                    double[] c = mix(skyHor, paint, clamp01(0.55 + d));
                    if (Math.abs(d - 0.25) < 0.05) c = scale(c, 1.2);
                    put(x, y, EGO_VEHICLE, c);
                }
            }
        }

        /** Box-filters the image and takes majority labels down by {@code ss}, then applies exposure, colour balance and noise. */
        StreetScene finish(int ss) {
            int w = W / ss, h = H / ss;
            int[] labels = new int[w * h], rgb = new int[w * h];
            double bright = u(0.85, 1.12);
            double[] gain = {bright * u(0.93, 1.07), bright * u(0.95, 1.05), bright * u(0.93, 1.07)};
            double sigma = u(1.5, 3.0);
            int[] ids = new int[ss * ss];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double r = 0, g = 0, b = 0;
                    int k = 0;
                    for (int dy = 0; dy < ss; dy++) {
                        for (int dx = 0; dx < ss; dx++) {
                            int i = (y * ss + dy) * W + x * ss + dx;
                            r += cr[i];
                            g += cg[i];
                            b += cb[i];
                            ids[k++] = lab[i];
                        }
                    }
                    int n = ss * ss;
                    labels[y * w + x] = majority(ids);
                    double vx = (x + 0.5) / w - 0.5, vy = (y + 0.5) / h - 0.5;
                    double vig = 1 - 0.25 * (vx * vx + vy * vy);
                    double lum = rnd.nextGaussian() * sigma;
                    int R = clamp8(r / n * gain[0] * vig + lum + rnd.nextGaussian() * sigma * 0.4);
                    int G = clamp8(g / n * gain[1] * vig + lum + rnd.nextGaussian() * sigma * 0.4);
                    int B = clamp8(b / n * gain[2] * vig + lum + rnd.nextGaussian() * sigma * 0.4);
                    rgb[y * w + x] = R << 16 | G << 8 | B;
                }
            }
            return new StreetScene(w, h, labels, new RgbImage(w, h, rgb));
        }

        static int majority(int[] ids) {
            int best = ids[ids.length - 1], bestCount = 0;
            for (int i = ids.length - 1; i >= 0; i--) {
                int c = 0;
                for (int id : ids) if (id == ids[i]) c++;
                if (c > bestCount) {
                    bestCount = c;
                    best = ids[i];
                }
            }
            return best;
        }

        static int clamp8(double v) {
            long r = Math.round(v);
            return r < 0 ? 0 : r > 255 ? 255 : (int) r;
        }
    }
}

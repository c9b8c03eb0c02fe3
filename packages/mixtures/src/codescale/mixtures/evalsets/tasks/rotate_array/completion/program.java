import java.util.Arrays;

public class RotateArray {
    /** A copy of values rotated steps places to the right, wrapping around (steps may exceed the length). */
    static int[] rotateRight(int[] values, int steps) {
// codescale: completion
        int n = values.length;
        int[] rotated = new int[n];
        for (int i = 0; i < n; i++) {
            rotated[(i + steps) % n] = values[i];
        }
        return rotated;
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        int[] numbers = {1, 2, 3, 4, 5, 6, 7};
        check(Arrays.equals(rotateRight(numbers, 3), new int[] {5, 6, 7, 1, 2, 3, 4}), "3");
        check(Arrays.equals(rotateRight(numbers, 10), new int[] {5, 6, 7, 1, 2, 3, 4}), "10");
        check(Arrays.equals(rotateRight(numbers, 0), numbers), "0");
        check(rotateRight(new int[0], 4).length == 0, "empty");
        check(Arrays.equals(numbers, new int[] {1, 2, 3, 4, 5, 6, 7}), "input unchanged");
    }
}

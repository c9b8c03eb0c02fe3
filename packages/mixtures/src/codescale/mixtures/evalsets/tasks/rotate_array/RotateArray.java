public class RotateArray {
    /** A copy of values rotated steps places to the right (wrapping around). */
    static int[] rotateRight(int[] values, int steps) {
        int n = values.length;
        int[] rotated = new int[n];
        for (int i = 0; i < n; i++) {
            rotated[(i + steps) % n] = values[i];
        }
        return rotated;
    }

    public static void main(String[] args) {
        int[] numbers = {1, 2, 3, 4, 5, 6, 7};
        for (int steps : new int[] {3, 10, 0}) {
            StringBuilder line = new StringBuilder("rotate by " + steps + ":");
            for (int n : rotateRight(numbers, steps)) {
                line.append(' ').append(n);
            }
            System.out.println(line);
        }
    }
}

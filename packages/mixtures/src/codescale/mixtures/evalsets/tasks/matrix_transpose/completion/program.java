import java.util.Arrays;

public class MatrixTranspose {
    /** The transpose of a rectangular matrix given as an array of rows: row i of the result is column i of matrix. */
    static int[][] transpose(int[][] matrix) {
// codescale: completion
        int rows = matrix.length;
        int columns = rows == 0 ? 0 : matrix[0].length;
        int[][] result = new int[columns][rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                result[c][r] = matrix[r][c];
            }
        }
        return result;
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(Arrays.deepEquals(transpose(new int[][] {{1, 2, 3}, {4, 5, 6}}), new int[][] {{1, 4}, {2, 5}, {3, 6}}), "2x3");
        check(Arrays.deepEquals(transpose(new int[][] {{7}}), new int[][] {{7}}), "1x1");
        check(Arrays.deepEquals(transpose(new int[][] {{1, 2, 3}}), new int[][] {{1}, {2}, {3}}), "1x3");
        check(transpose(new int[0][0]).length == 0, "empty");
    }
}

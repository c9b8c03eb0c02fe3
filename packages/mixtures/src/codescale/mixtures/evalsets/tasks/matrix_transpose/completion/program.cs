using System;

public static class MatrixTranspose
{
    /// <summary>The transpose of a matrix: element [c, r] of the result is element [r, c] of matrix.</summary>
    public static int[,] Transpose(int[,] matrix)
    {
// codescale: completion
        var rows = matrix.GetLength(0);
        var columns = matrix.GetLength(1);
        var result = new int[columns, rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[c, r] = matrix[r, c];
            }
        }
        return result;
// codescale: tests
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new Exception("check failed: " + what);
        }
    }

    private static bool Same(int[,] a, int[,] b)
    {
        if (a.GetLength(0) != b.GetLength(0) || a.GetLength(1) != b.GetLength(1))
        {
            return false;
        }
        for (var r = 0; r < a.GetLength(0); r++)
        {
            for (var c = 0; c < a.GetLength(1); c++)
            {
                if (a[r, c] != b[r, c])
                {
                    return false;
                }
            }
        }
        return true;
    }

    public static void Main()
    {
        Check(Same(Transpose(new[,] { { 1, 2, 3 }, { 4, 5, 6 } }), new[,] { { 1, 4 }, { 2, 5 }, { 3, 6 } }), "2x3");
        Check(Same(Transpose(new[,] { { 7 } }), new[,] { { 7 } }), "1x1");
        Check(Same(Transpose(new[,] { { 1, 2, 3 } }), new[,] { { 1 }, { 2 }, { 3 } }), "1x3");
    }
}

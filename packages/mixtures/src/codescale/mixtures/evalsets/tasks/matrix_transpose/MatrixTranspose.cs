using System;

public static class MatrixTranspose
{
    public static int[,] Transpose(int[,] matrix)
    {
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
    }

    public static void Main()
    {
        var grid = new[,] { { 1, 2, 3 }, { 4, 5, 6 } };
        var flipped = Transpose(grid);
        for (var r = 0; r < flipped.GetLength(0); r++)
        {
            var row = new string[flipped.GetLength(1)];
            for (var c = 0; c < row.Length; c++)
            {
                row[c] = flipped[r, c].ToString();
            }
            Console.WriteLine(string.Join(" ", row));
        }
    }
}

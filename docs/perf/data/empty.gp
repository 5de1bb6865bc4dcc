set terminal pngcairo size 900,560 font 'sans,10' noenhanced
set output '../empty.png'
set title 'Failed grab on an empty pool, 1 lcore (bars: min..max)'
set xlabel 'pool size (pages of 64 B)'
set ylabel 'ns per failed grab'
set logscale x 2
set xrange [512:2097152]
set xtics ('1 Ki' 1024, '64 Ki' 65536, '1 Mi' 1048576)
set yrange [0:*]
set grid
set key right bottom opaque
a = 1.8743
plot 'empty.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 title columnheader(1), \
  'empty.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 5 title columnheader(1), \
  a with lines lw 2 dt 1 lc rgb 'black' title 'empty ring_mp_mc get (anchor)', \
  1.5 * a with lines lw 1 dt 2 lc rgb 'red' title 'target: 1.5x anchor'

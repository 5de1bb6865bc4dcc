set terminal pngcairo size 1100,520 font 'sans,10' noenhanced
set output '../scaling.png'
set multiplot layout 1,2 title 'Aggregate grab+free pairs/s (1, 2 lcores pinned; 4, 8 lcores oversubscribed on 2 CPUs; bars: min..max)'
set logscale x 2
set xrange [0.8:10]
set xtics (1,2,4,8)
set logscale y
set xlabel 'lcores'
set ylabel 'Mpairs/s, all lcores (log)'
set grid
set key outside bottom center horizontal maxrows 2 samplen 2
set title 'Local frees'
plot 'scaling.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'labyrinth no cache', \
  'scaling.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'labyrinth cache 256', \
  'scaling.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'mempool ring_mp_mc cache 0', \
  'scaling.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'mempool ring_mp_mc cache 256'
set title 'Remote frees'
plot 'scaling.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'labyrinth no cache', \
  'scaling.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'labyrinth cache 256', \
  'scaling.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'mempool ring_mp_mc cache 0', \
  'scaling.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'mempool ring_mp_mc cache 256'
unset multiplot
